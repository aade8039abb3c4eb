// Package sfu is the hub's selective forwarding unit on pion/webrtc v4.
// Every browser, kiosk or WHIP/WHEP client opens one peer connection to
// the hub, and the SFU forwards RTP between the participants of a room
// without decoding it. NACK, RTCP reports and TWCC come from
// pion/interceptor's defaults. A subscriber that joins triggers a PLI to
// the publisher, so it gets a keyframe at once.
//
// Signalling is the caller's transport: the SFU hands hub-to-client
// messages to JoinOptions.Signal and takes client-to-hub messages through
// Participant.HandleSignal. The hub is the impolite peer of perfect
// negotiation, so a client offer that collides with a hub offer is
// dropped and the client rolls back.
package sfu

import (
	"log/slog"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// RoomID names a service room, for example a conversation or a group window.
type RoomID string

// ParticipantID names one participant of a room. It is stable across page
// reloads, so a second Join with the same id replaces the first.
type ParticipantID string

// Options configures New.
type Options struct {
	// Logger receives the SFU's logs and pion's, bridged at their own
	// level. Nil means slog.Default().
	Logger *slog.Logger
	// ICE configures the hub's ICE agent.
	ICE ICEConfig
	// Recorder, when set, receives every published track of a room whose
	// recording is switched on with SetRecording. Nil disables recording.
	Recorder Recorder
	// ClientICEServers, when set, returns the STUN/TURN servers and
	// per-call credentials for one participant. Join sends them as the
	// first message, of type SignalConfig, before any offer.
	ClientICEServers func(room RoomID, id ParticipantID) []webrtc.ICEServer
}

// ICEConfig sets where the hub gathers ICE candidates and which
// addresses it announces to clients.
type ICEConfig struct {
	// UDPMuxPort, when non-zero, serves every peer connection from this
	// one UDP port, which is easier to open in a firewall. Zero uses
	// PortMin..PortMax.
	UDPMuxPort int
	// TCPMuxPort, when non-zero, also gathers ICE-TCP passive candidates
	// on this port, for clients that can reach the hub over TCP only.
	TCPMuxPort int
	// PortMin and PortMax bound the ephemeral UDP ports when UDPMuxPort
	// is zero. Zero for both lets the kernel choose.
	PortMin, PortMax uint16
	// ListenIPs restricts the interfaces the hub gathers host candidates
	// on. Empty means every interface, including loopback.
	ListenIPs []string
	// NAT1To1IPs are the public addresses announced in place of the host
	// addresses when the hub sits behind a 1:1 NAT.
	NAT1To1IPs []string
	// ICEServers are the STUN/TURN servers the hub itself uses. Clients
	// get their own per-call TURN credentials from the turn package.
	ICEServers []webrtc.ICEServer
}

// SignalType is the kind of a signalling message.
type SignalType string

// Signal types. An offer or answer carries SDP; a candidate carries one
// trickled ICE candidate, and a candidate with an empty Candidate string
// ends the gathering. Negotiate requests a new hub offer, and Restart
// requests one with new ICE credentials.
//
// The hub sends the offers: a publishing participant's first offer
// already carries one receive-only audio and one video section, which
// the client answers with its microphone and camera. Clients may still
// offer, and the hub, as the impolite peer, ignores a client offer that
// collides with its own.
const (
	SignalOffer     SignalType = "offer"
	SignalAnswer    SignalType = "answer"
	SignalCandidate SignalType = "candidate"
	SignalNegotiate SignalType = "negotiate"
	SignalRestart   SignalType = "restart"
	// SignalConfig is hub-to-client only and carries ICEServers, which
	// the client applies with RTCPeerConnection.setConfiguration.
	SignalConfig SignalType = "config"
)

// Signal is one signalling message in either direction. It marshals to
// the JSON used by the session WebSocket's rtc.signal frame.
type Signal struct {
	Type      SignalType               `json:"type"`
	SDP       string                   `json:"sdp,omitempty"`
	Candidate *webrtc.ICECandidateInit `json:"candidate,omitempty"`
	// ICEServers uses the browser's field names (urls, username,
	// credential).
	ICEServers []webrtc.ICEServer `json:"iceServers,omitempty"`
}

// JoinOptions configures one participant.
type JoinOptions struct {
	// Signal sends a hub-to-client message. The SFU calls it from its own
	// goroutines, one call at a time per participant; it must not block
	// for long. Nil is allowed only for participants that negotiate with
	// Participant.Answer (WHIP/WHEP), which does not trickle.
	Signal func(Signal)
	// CanPublish lets the participant send media into the room. A
	// participant without it only plays (WHEP, a listener).
	CanPublish bool
	// CanSubscribe lets the participant receive the room's media. WHIP
	// publishers set it false.
	CanSubscribe bool
	// OnState, when set, receives every peer connection state change, for
	// example to show "reconnecting" or to clean up after failure.
	OnState func(webrtc.PeerConnectionState)
	// Sources, when set, limits what the participant receives to the
	// tracks of the publishers for which it returns true, for example a
	// kiosk's player that plays only the staff member. Nil receives every
	// other participant's tracks. The SFU calls it with its lock held, so
	// it must return quickly and must not call the SFU.
	Sources func(ParticipantID) bool
}

// Kind is "audio" or "video", as in webrtc.RTPCodecType.String().
type Kind string

// Track kinds.
const (
	KindAudio Kind = "audio"
	KindVideo Kind = "video"
)

// Counters are RTP packet and byte totals.
type Counters struct {
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

// ParticipantStats are one participant's RTP totals by kind: In is what
// it published to the hub, Out is what the hub forwarded to it.
type ParticipantStats struct {
	In       map[Kind]Counters `json:"in"`
	Out      map[Kind]Counters `json:"out"`
	State    string            `json:"state"`
	Speaking bool              `json:"speaking"`
}

// RoomStats are the RTP totals of every current participant of a room.
type RoomStats struct {
	Room         RoomID                             `json:"room"`
	Hold         bool                               `json:"hold"`
	Participants map[ParticipantID]ParticipantStats `json:"participants"`
}

// Recorder starts a sink for each published track of a recorded room.
// The appliance/media/record package implements it.
type Recorder interface {
	StartTrack(room RoomID, p ParticipantID, codec webrtc.RTPCodecParameters) (TrackSink, error)
}

// TrackSink receives the RTP packets of one published track. The SFU
// calls WriteRTP from one goroutine per track and Close once when the
// track ends, the room stops recording or the SFU closes. WriteRTP must
// not keep the packet after it returns, because the SFU reuses the
// packet and its payload buffer for the next one.
type TrackSink interface {
	WriteRTP(*rtp.Packet) error
	Close() error
}

// The SFU's methods, implemented in sfu.go, room.go and participant.go:
//
//	func New(opts Options) (*SFU, error)
//	func (s *SFU) Join(room RoomID, id ParticipantID, jo JoinOptions) (*Participant, error)
//	func (s *SFU) SetHold(room RoomID, on bool) error
//	func (s *SFU) SetSpeaking(room RoomID, id ParticipantID, allowed bool) error
//	func (s *SFU) SetRecording(room RoomID, on bool) error
//	func (s *SFU) Move(from RoomID, id ParticipantID, to RoomID) error
//	func (s *SFU) Stats(room RoomID) RoomStats
//	func (s *SFU) CloseRoom(room RoomID) error
//	func (s *SFU) Close() error
//	func (p *Participant) HandleSignal(sig Signal) error
//	func (p *Participant) Answer(ctx context.Context, offerSDP string) (string, error)
//	func (p *Participant) Close() error
