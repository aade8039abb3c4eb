package sfu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/pion/webrtc/v4"
)

// Participant is one peer connection in a room.
type Participant struct {
	sfu *SFU
	id  ParticipantID
	jo  JoinOptions
	pc  *webrtc.PeerConnection
	log *slog.Logger

	// Guarded by SFU.mu.
	room      *room
	downs     []*downTrack
	ownTracks []*pubTrack
	removed   bool

	speaking atomic.Bool
	in, out  [2]counter
	// hubSections counts the transceivers the hub added, which pion
	// never removes. trickled counts the client's trickled candidates.
	// Both bound what a client may send, see sdpguard.go.
	hubSections atomic.Int64
	trickled    atomic.Int64

	// negMu serialises SDP operations on pc. pending records a
	// renegotiation that had to wait for the signalling state to return
	// to stable, and restart makes the next offer use new ICE credentials.
	negMu   sync.Mutex
	pending bool
	restart bool
	// early holds client candidates that arrive while a hub offer awaits
	// its answer: they may carry the ICE credentials of that answer,
	// which pion would reject until the answer is applied.
	early []webrtc.ICECandidateInit

	negotiate chan struct{}
	outbox    outbox
	done      chan struct{}
	closeOnce sync.Once
}

// counter is a packets and bytes total updated by the forwarding loops.
type counter struct{ packets, bytes atomic.Uint64 }

func (c *counter) add(size int) {
	c.packets.Add(1)
	c.bytes.Add(uint64(size))
}

func (c *counter) load() Counters {
	return Counters{Packets: c.packets.Load(), Bytes: c.bytes.Load()}
}

func kindIndexOf(k Kind) int {
	if k == KindVideo {
		return 1
	}

	return 0
}

func newParticipant(s *SFU, id ParticipantID, jo JoinOptions, pc *webrtc.PeerConnection) *Participant {
	p := &Participant{
		sfu:       s,
		id:        id,
		jo:        jo,
		pc:        pc,
		log:       s.log.With("participant", id),
		negotiate: make(chan struct{}, 1),
		outbox:    outbox{wake: make(chan struct{}, 1)},
		done:      make(chan struct{}),
	}
	p.speaking.Store(true)

	return p
}

// ID returns the participant's id.
func (p *Participant) ID() ParticipantID { return p.id }

// start wires pion's callbacks and the negotiation loop. Join calls it
// after the participant is in its room, so early tracks find the room.
func (p *Participant) start(roomID RoomID) {
	p.pc.OnTrack(p.onTrack)
	p.pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if p.jo.Signal == nil {
			return
		}
		init := webrtc.ICECandidateInit{}
		if c != nil {
			init = c.ToJSON()
		}
		p.outbox.push(Signal{Type: SignalCandidate, Candidate: &init})
	})
	p.pc.OnConnectionStateChange(p.onState)
	if p.jo.Signal == nil {
		return
	}
	if p.jo.CanPublish {
		p.addReceivers()
	}
	if f := p.sfu.opts.ClientICEServers; f != nil {
		p.outbox.push(Signal{Type: SignalConfig, ICEServers: f(roomID, p.id)})
	}

	p.sfu.wg.Add(2)
	go func() {
		defer p.sfu.wg.Done()
		p.negotiateLoop()
	}()
	go func() {
		defer p.sfu.wg.Done()
		p.outbox.run(p.jo.Signal, p.done)
	}()
	p.kick(false)
}

// addReceivers adds the receive-only sections that the client fills with
// its microphone and camera when it answers the first hub offer.
func (p *Participant) addReceivers() {
	recvOnly := webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}
	for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		if _, err := p.pc.AddTransceiverFromKind(kind, recvOnly); err != nil {
			p.log.Warn("adding receiver failed", "kind", kind.String(), "error", err)

			continue
		}
		p.hubSections.Add(1)
	}
}

func (p *Participant) onState(state webrtc.PeerConnectionState) {
	p.log.Debug("peer connection state changed", "state", state.String())
	if state == webrtc.PeerConnectionStateFailed && p.jo.Signal != nil {
		p.kick(true)
	}
	if state == webrtc.PeerConnectionStateConnected {
		// A keyframe requested when the down tracks were bound may have
		// been sent before DTLS was up, and lost, so ask again. SFU.mu is
		// taken on another goroutine because pion may hold this peer
		// connection's lock here.
		go p.requestKeyframes()
	}
	if p.jo.OnState != nil {
		p.jo.OnState(state)
	}
}

// requestKeyframes forces a PLI to the publisher of every video track the
// participant receives.
func (p *Participant) requestKeyframes() {
	p.sfu.mu.Lock()
	var sources []*pubTrack
	for _, d := range p.downs {
		if src := d.src.Load(); src != nil && d.bound.Load() {
			sources = append(sources, src)
		}
	}
	p.sfu.mu.Unlock()

	for _, src := range sources {
		src.sendPLI(true)
	}
}

// kick requests a new offer from the negotiation loop. It never blocks, so it
// is safe under SFU.mu.
func (p *Participant) kick(restart bool) {
	if p.jo.Signal == nil {
		return
	}
	if restart {
		p.negMu.Lock()
		p.restart = true
		p.negMu.Unlock()
	}
	select {
	case p.negotiate <- struct{}{}:
	default:
	}
}

func (p *Participant) negotiateLoop() {
	for {
		select {
		case <-p.done:
			return
		case <-p.negotiate:
		}
		if err := p.offer(); err != nil {
			p.log.Warn("renegotiation failed", "error", err)
		}
	}
}

// offer sends a hub offer when the participant has something to
// negotiate and the signalling state is stable. Otherwise it sets pending,
// so HandleSignal retries once the state is stable again.
func (p *Participant) offer() error {
	p.negMu.Lock()
	if p.pc.SignalingState() != webrtc.SignalingStateStable {
		p.pending = true
		p.negMu.Unlock()

		return nil
	}
	if len(p.pc.GetTransceivers()) == 0 {
		p.negMu.Unlock()

		return nil
	}
	restart := p.restart
	p.restart = false
	p.pending = false

	defer p.negMu.Unlock()

	offer, err := p.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: restart})
	if err != nil {
		return fmt.Errorf("creating hub offer: %w", err)
	}

	p.outbox.hold()
	if err := p.pc.SetLocalDescription(offer); err != nil {
		p.outbox.release(nil)

		return fmt.Errorf("applying hub offer: %w", err)
	}
	p.outbox.release(&Signal{Type: SignalOffer, SDP: offer.SDP})

	return nil
}

// HandleSignal applies one client-to-hub message. The hub is the
// impolite peer: a client offer that collides with a pending hub offer
// is ignored, and so are the candidates that follow it.
func (p *Participant) HandleSignal(sig Signal) error {
	if p.jo.Signal == nil {
		return ErrNoSignal
	}
	select {
	case <-p.done:
		return ErrClosed
	default:
	}

	switch sig.Type {
	case SignalOffer:
		return p.handleOffer(sig.SDP)
	case SignalAnswer:
		return p.handleAnswer(sig.SDP)
	case SignalCandidate:
		return p.handleCandidate(sig.Candidate)
	case SignalNegotiate:
		p.kick(false)

		return nil
	case SignalRestart:
		p.kick(true)

		return nil
	default:
		return fmt.Errorf("signal type %q: %w", sig.Type, ErrBadSignal)
	}
}

func (p *Participant) handleOffer(sdp string) error {
	if sdp == "" {
		return fmt.Errorf("offer without SDP: %w", ErrBadSignal)
	}
	p.negMu.Lock()
	if p.pc.SignalingState() == webrtc.SignalingStateHaveLocalOffer {
		p.pending = true
		p.negMu.Unlock()
		p.log.Debug("client offer ignored during hub offer")

		return nil
	}

	p.outbox.hold()
	answer, err := p.applyOffer(sdp)
	if err != nil {
		p.outbox.release(nil)
	} else {
		p.outbox.release(&Signal{Type: SignalAnswer, SDP: answer.SDP})
	}
	retry := p.pending
	p.negMu.Unlock()
	if err != nil {
		return err
	}
	if retry {
		p.kick(false)
	}

	return nil
}

func (p *Participant) applyOffer(sdp string) (webrtc.SessionDescription, error) {
	sdp, err := p.sfu.guardRemoteSDP(sdp, int(p.hubSections.Load()))
	if err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("checking client offer: %w", err)
	}
	offer := webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp}
	if err := p.pc.SetRemoteDescription(offer); err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("applying client offer: %w", err)
	}
	answer, err := p.pc.CreateAnswer(nil)
	if err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("creating answer: %w", err)
	}
	if err := p.pc.SetLocalDescription(answer); err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("applying answer: %w", err)
	}

	return answer, nil
}

func (p *Participant) handleAnswer(sdp string) error {
	if sdp == "" {
		return fmt.Errorf("answer without SDP: %w", ErrBadSignal)
	}
	sdp, err := p.sfu.guardRemoteSDP(sdp, int(p.hubSections.Load()))
	if err != nil {
		return fmt.Errorf("checking client answer: %w", err)
	}
	p.negMu.Lock()
	if p.pc.SignalingState() != webrtc.SignalingStateHaveLocalOffer {
		p.negMu.Unlock()
		p.log.Debug("unexpected client answer ignored")

		return nil
	}
	err = p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp})
	early := p.early
	p.early = nil
	retry := p.pending
	p.negMu.Unlock()
	if err != nil {
		return fmt.Errorf("applying client answer: %w", err)
	}
	for _, c := range early {
		p.addCandidate(c)
	}
	if retry {
		p.kick(false)
	}

	return nil
}

func (p *Participant) handleCandidate(c *webrtc.ICECandidateInit) error {
	if c == nil {
		return fmt.Errorf("candidate message without candidate: %w", ErrBadSignal)
	}
	if c.Candidate == "" {
		return nil
	}
	if p.trickled.Add(1) > maxTrickledCandidates {
		return fmt.Errorf("more than %d trickled candidates: %w: %w", maxTrickledCandidates, ErrLimit, ErrBadSignal)
	}
	if !p.sfu.candidateAllowed(c.Candidate) {
		p.log.Debug("remote candidate rejected")

		return nil
	}
	p.negMu.Lock()
	if p.pc.SignalingState() == webrtc.SignalingStateHaveLocalOffer {
		p.early = append(p.early, *c)
		p.negMu.Unlock()

		return nil
	}
	p.negMu.Unlock()
	p.addCandidate(*c)

	return nil
}

func (p *Participant) addCandidate(c webrtc.ICECandidateInit) {
	if err := p.pc.AddICECandidate(c); err != nil {
		// A candidate of an ignored offer or of a previous ICE generation
		// is expected after glare or a restart.
		p.log.Debug("client candidate ignored", "error", err)
	}
}

// Answer negotiates without trickle for WHIP and WHEP: it applies the
// client's offer, waits for the hub's candidates to be gathered and
// returns the answer SDP. A subscribing participant gets one slot per
// kind that the offer receives, filled with the room's first track of
// that kind that JoinOptions.Sources admits, now or when one is
// published. A slot whose track ends takes the next admitted track.
func (p *Participant) Answer(ctx context.Context, offerSDP string) (string, error) {
	if offerSDP == "" {
		return "", fmt.Errorf("offer without SDP: %w", ErrBadSignal)
	}
	offerSDP, err := p.sfu.guardRemoteSDP(offerSDP, 0)
	if err != nil {
		return "", fmt.Errorf("checking offer: %w", err)
	}
	if p.jo.CanSubscribe {
		if err := p.addSlots(offerSDP); err != nil {
			return "", err
		}
	}

	p.negMu.Lock()
	gathered := webrtc.GatheringCompletePromise(p.pc)
	_, err = p.applyOffer(offerSDP)
	p.negMu.Unlock()
	if err != nil {
		return "", err
	}

	select {
	case <-gathered:
	case <-ctx.Done():
		return "", fmt.Errorf("gathering ICE candidates: %w", ctx.Err())
	}

	return p.pc.LocalDescription().SDP, nil
}

// Close removes the participant from its room and closes its peer
// connection. Further calls return nil.
func (p *Participant) Close() error {
	s := p.sfu
	s.mu.Lock()
	s.removeLocked(p)
	s.mu.Unlock()

	return p.closePeer()
}

func (p *Participant) closePeer() error {
	var err error
	p.closeOnce.Do(func() {
		close(p.done)
		err = p.pc.Close()
	})
	if err != nil && !errors.Is(err, webrtc.ErrConnectionClosed) {
		return fmt.Errorf("closing peer connection of %s: %w", p.id, err)
	}

	return nil
}

// Stats returns the participant's RTP totals and connection state.
func (p *Participant) Stats() ParticipantStats {
	return ParticipantStats{
		In:       map[Kind]Counters{KindAudio: p.in[0].load(), KindVideo: p.in[1].load()},
		Out:      map[Kind]Counters{KindAudio: p.out[0].load(), KindVideo: p.out[1].load()},
		State:    p.pc.ConnectionState().String(),
		Speaking: p.speaking.Load(),
	}
}
