// Package rtcpeer is a pion WebRTC client of the hub's SFU for tests and
// the load generator. It publishes synthetic VP8 and Opus streams whose
// VP8 frames are keyframes only at the start and after a PLI from the
// hub. It answers the hub's offers (WHIP and WHEP sessions offer with
// Offer instead) and counts what it receives per track: packets, bytes,
// keyframes, sequence gaps and the arrival of the first video packet.
package rtcpeer

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"wenban/appliance/media/sfu"
)

// Options configures New.
type Options struct {
	// Logger receives the peer's signalling failures. Nil means
	// slog.Default().
	Logger *slog.Logger
	// Send delivers a client-to-hub message, for example by calling
	// sfu.Participant.HandleSignal or writing a WebSocket frame. Nil is
	// allowed for WHIP and WHEP, which negotiate with Offer and SetAnswer.
	Send func(sfu.Signal) error
	// Audio and Video publish a synthetic Opus and VP8 stream.
	Audio, Video bool
	// VideoBitrate is the synthetic VP8 rate in bits per second. Zero
	// means 500 kbps.
	VideoBitrate int
	// ICEServers are the client's STUN and TURN servers.
	ICEServers []webrtc.ICEServer
	// RelayOnly sets the ICE transport policy to relay, so the client
	// reaches the hub through TURN only.
	RelayOnly bool
	// LoopbackOnly restricts the client's host candidates to 127.0.0.1,
	// which keeps tests off the machine's other interfaces.
	LoopbackOnly bool
	// TCPOnly gathers ICE-TCP candidates only, as a client whose UDP is
	// blocked does.
	TCPOnly bool
}

// Peer is one client peer connection.
type Peer struct {
	opts Options
	pc   *webrtc.PeerConnection
	log  *slog.Logger

	mu      sync.Mutex
	queue   []event
	wake    chan struct{}
	pending []webrtc.ICECandidateInit
	tracks  []*Received

	keyframeWanted chan struct{}
	// keyframeRequests counts the PLIs and FIRs the hub sent.
	keyframeRequests atomic.Uint64
	done             chan struct{}
	closeOnce        sync.Once
	wg               sync.WaitGroup
}

type event struct {
	signal *sfu.Signal
}

// New creates a peer with its synthetic tracks. Call Start to send media.
func New(opts Options) (*Peer, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.VideoBitrate == 0 {
		opts.VideoBitrate = 500_000
	}
	api, err := newAPI(opts)
	if err != nil {
		return nil, err
	}
	cfg := webrtc.Configuration{ICEServers: opts.ICEServers}
	if opts.RelayOnly {
		cfg.ICETransportPolicy = webrtc.ICETransportPolicyRelay
	}
	pc, err := api.NewPeerConnection(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating client peer connection: %w", err)
	}

	p := &Peer{
		opts:           opts,
		pc:             pc,
		log:            opts.Logger,
		wake:           make(chan struct{}, 1),
		keyframeWanted: make(chan struct{}, 1),
		done:           make(chan struct{}),
	}
	pc.OnICECandidate(p.onCandidate)
	pc.OnTrack(p.onTrack)

	return p, nil
}

func newAPI(opts Options) (*webrtc.API, error) {
	var se webrtc.SettingEngine
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeTCP4})
	if opts.TCPOnly {
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeTCP4})
	}
	if opts.LoopbackOnly {
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	}

	media := &webrtc.MediaEngine{}
	if err := media.RegisterDefaultCodecs(); err != nil {
		return nil, fmt.Errorf("registering codecs: %w", err)
	}
	registry := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(media, registry); err != nil {
		return nil, fmt.Errorf("registering interceptors: %w", err)
	}

	return webrtc.NewAPI(webrtc.WithMediaEngine(media), webrtc.WithInterceptorRegistry(registry),
		webrtc.WithSettingEngine(se)), nil
}

// PeerConnection returns the underlying pion peer connection.
func (p *Peer) PeerConnection() *webrtc.PeerConnection { return p.pc }

// Start adds the synthetic tracks and starts the signalling loop. The
// tracks exist before the hub's first offer is applied, so pion places
// them in the offer's receive-only sections.
func (p *Peer) Start() error {
	if p.opts.Audio {
		if err := p.addAudio(); err != nil {
			return err
		}
	}
	if p.opts.Video {
		if err := p.addVideo(); err != nil {
			return err
		}
	}

	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.loop()
	}()

	return nil
}

// Deliver queues a hub-to-client message. It never blocks, so it is safe
// as sfu.JoinOptions.Signal.
func (p *Peer) Deliver(sig sfu.Signal) {
	p.push(event{signal: &sig})
}

func (p *Peer) push(e event) {
	p.mu.Lock()
	p.queue = append(p.queue, e)
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *Peer) loop() {
	for {
		select {
		case <-p.done:
			return
		case <-p.wake:
		}
		p.mu.Lock()
		batch := p.queue
		p.queue = nil
		p.mu.Unlock()

		for _, e := range batch {
			if err := p.handle(e); err != nil {
				p.log.Warn("client signalling failed", "error", err)
			}
		}
	}
}

func (p *Peer) handle(e event) error {
	sig := e.signal
	switch sig.Type {
	case sfu.SignalOffer:
		return p.answer(sig.SDP)
	case sfu.SignalAnswer:
		if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sig.SDP}); err != nil {
			return fmt.Errorf("applying hub answer: %w", err)
		}

		return p.flushCandidates()
	case sfu.SignalCandidate:
		return p.addCandidate(sig.Candidate)
	case sfu.SignalConfig:
		// The peer's ICE servers come from Options, set before gathering.
		return nil
	default:
		return fmt.Errorf("unexpected hub signal %q", sig.Type)
	}
}

// Restart asks the hub for an ICE restart offer, as rtc.js does after a
// network change.
func (p *Peer) Restart() error {
	return p.opts.Send(sfu.Signal{Type: sfu.SignalRestart})
}

// answer applies a hub offer. The client never offers, because the hub
// sends every offer, so there is no glare to resolve.
func (p *Peer) answer(sdp string) error {
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp}); err != nil {
		return fmt.Errorf("applying hub offer: %w", err)
	}
	answer, err := p.pc.CreateAnswer(nil)
	if err != nil {
		return fmt.Errorf("creating client answer: %w", err)
	}
	if err := p.pc.SetLocalDescription(answer); err != nil {
		return fmt.Errorf("applying client answer: %w", err)
	}
	if err := p.opts.Send(sfu.Signal{Type: sfu.SignalAnswer, SDP: answer.SDP}); err != nil {
		return err
	}

	return p.flushCandidates()
}

func (p *Peer) onCandidate(c *webrtc.ICECandidate) {
	if p.opts.Send == nil {
		return
	}
	init := webrtc.ICECandidateInit{}
	if c != nil {
		init = c.ToJSON()
	}
	if err := p.opts.Send(sfu.Signal{Type: sfu.SignalCandidate, Candidate: &init}); err != nil {
		p.log.Debug("sending client candidate failed", "error", err)
	}
}

// addCandidate buffers hub candidates that arrive before the hub's
// description, which happens when the hub offers.
func (p *Peer) addCandidate(c *webrtc.ICECandidateInit) error {
	if c == nil || c.Candidate == "" {
		return nil
	}
	if p.pc.RemoteDescription() == nil {
		p.pending = append(p.pending, *c)

		return nil
	}
	if err := p.pc.AddICECandidate(*c); err != nil {
		p.log.Debug("hub candidate ignored", "error", err)
	}

	return nil
}

func (p *Peer) flushCandidates() error {
	list := p.pending
	p.pending = nil
	for _, c := range list {
		if err := p.pc.AddICECandidate(c); err != nil {
			p.log.Debug("hub candidate ignored", "error", err)
		}
	}

	return nil
}

// WaitConnected waits until the peer connection is connected.
func (p *Peer) WaitConnected(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if p.pc.ConnectionState() == webrtc.PeerConnectionStateConnected {
			return nil
		}
		select {
		case <-p.done:
			return errors.New("peer closed")
		case <-time.After(10 * time.Millisecond):
		}
	}

	return fmt.Errorf("peer connection %s after %s, want connected", p.pc.ConnectionState(), timeout)
}

// Close stops the media, closes the peer connection and waits for the
// peer's goroutines.
func (p *Peer) Close() error {
	var err error
	p.closeOnce.Do(func() {
		close(p.done)
		err = p.pc.Close()
		p.wg.Wait()
	})

	return err
}
