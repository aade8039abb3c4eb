package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/mediadevices"
	"github.com/pion/webrtc/v4"

	"wenban/appliance/media/pionlog"
)

// maxAnswerSize bounds the SDP answer read from the hub.
const maxAnswerSize = 64 << 10

// PublishOptions configures one WHIP publication.
type PublishOptions struct {
	// Endpoint is the WHIP endpoint URL, such as
	// http://hub.example:8080/whip/ROOM. Required.
	Endpoint string

	// Token is sent as "Authorization: Bearer TOKEN". Required, because
	// the hub rejects anonymous publishers.
	Token string

	// Tracks are the tracks to send. Required. Publish does not take
	// ownership: the caller closes them after closing the publication.
	Tracks []mediadevices.Track

	// Selector is the codec selector the tracks were created with.
	// Required.
	Selector *mediadevices.CodecSelector

	// ICEServers are STUN and TURN servers, such as the hub's embedded
	// TURN server. Nil means host candidates only, which suits a LAN.
	ICEServers []webrtc.ICEServer

	// SettingEngine tunes pion. Nil means DefaultSettingEngine().
	SettingEngine *webrtc.SettingEngine

	// HTTPClient sends the WHIP requests. Nil means a client with a 10 s
	// timeout.
	HTTPClient *http.Client

	// Logger receives connection state changes. Nil discards them.
	Logger *slog.Logger
}

// DefaultSettingEngine returns pion settings for the kiosk. Multicast DNS
// is off because the hub's SFU sends plain IP candidates, so the kiosk
// never needs to send mDNS queries onto the service-hall LAN.
func DefaultSettingEngine() *webrtc.SettingEngine {
	var se webrtc.SettingEngine
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)

	return &se
}

// Publication is one live WHIP session.
type Publication struct {
	pc       *webrtc.PeerConnection
	resource string
	token    string
	client   *http.Client
	log      *slog.Logger

	connected   chan struct{}
	connectOnce sync.Once
	ended       chan struct{}
	endOnce     sync.Once
	closeOnce   sync.Once
	closeErr    error
}

// Publish offers opts.Tracks to the WHIP endpoint and returns once the
// hub's SDP answer is applied. ICE and DTLS continue in the background: Connected
// and Ended report their outcome.
func Publish(ctx context.Context, opts PublishOptions) (*Publication, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}

	pc, err := newPeerConnection(opts)
	if err != nil {
		return nil, err
	}

	p := &Publication{
		pc:        pc,
		token:     opts.Token,
		client:    opts.HTTPClient,
		log:       opts.Logger,
		connected: make(chan struct{}),
		ended:     make(chan struct{}),
	}
	if p.client == nil {
		p.client = &http.Client{Timeout: 10 * time.Second}
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	pc.OnConnectionStateChange(p.onState)

	if err := p.negotiate(ctx, opts); err != nil {
		pc.Close()
		return nil, err
	}

	return p, nil
}

func (o PublishOptions) validate() error {
	switch {
	case o.Endpoint == "":
		return errors.New("publishing: WHIP endpoint is empty")
	case o.Token == "":
		return errors.New("publishing: bearer token is empty")
	case len(o.Tracks) == 0:
		return errors.New("publishing: no tracks to send")
	case o.Selector == nil:
		return errors.New("publishing: codec selector is nil")
	}

	return nil
}

func newPeerConnection(opts PublishOptions) (*webrtc.PeerConnection, error) {
	var engine webrtc.MediaEngine
	opts.Selector.Populate(&engine)

	// The default interceptors resend packets that the hub reports lost
	// (NACK) and send RTCP sender reports.
	var registry interceptor.Registry
	if err := webrtc.RegisterDefaultInterceptors(&engine, &registry); err != nil {
		return nil, fmt.Errorf("registering WebRTC interceptors: %w", err)
	}

	se := DefaultSettingEngine()
	if opts.SettingEngine != nil {
		se = opts.SettingEngine
	}
	settings := *se
	if opts.Logger != nil {
		settings.LoggerFactory = pionlog.Factory{Log: opts.Logger}
	}

	api := webrtc.NewAPI(webrtc.WithMediaEngine(&engine),
		webrtc.WithInterceptorRegistry(&registry), webrtc.WithSettingEngine(settings))
	pc, err := api.NewPeerConnection(webrtc.Configuration{ICEServers: opts.ICEServers})
	if err != nil {
		return nil, fmt.Errorf("creating peer connection: %w", err)
	}

	for _, track := range opts.Tracks {
		_, err := pc.AddTransceiverFromTrack(track,
			webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			pc.Close()
			return nil, fmt.Errorf("adding %s track %q: %w", track.Kind(), track.ID(), err)
		}
	}

	return pc, nil
}

// negotiate gathers every local candidate, because WHIP sends one offer
// and trickle ICE is optional for servers, then posts the offer.
func (p *Publication) negotiate(ctx context.Context, opts PublishOptions) error {
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		return fmt.Errorf("creating SDP offer: %w", err)
	}

	gathered := webrtc.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(offer); err != nil {
		return fmt.Errorf("setting local description: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return fmt.Errorf("gathering ICE candidates: %w", ctx.Err())
	}

	answer, location, err := p.post(ctx, opts.Endpoint, p.pc.LocalDescription().SDP)
	if err != nil {
		return err
	}
	p.resource = location

	err = p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer})
	if err != nil {
		return fmt.Errorf("setting the SDP answer from %s: %w", opts.Endpoint, err)
	}

	return nil
}

// post sends the offer and returns the answer and the absolute URL of the
// session resource from the Location header.
func (p *Publication) post(ctx context.Context, endpoint, offer string) (string, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewBufferString(offer))
	if err != nil {
		return "", "", fmt.Errorf("building WHIP request for %q: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/sdp")
	req.Header.Set("Authorization", "Bearer "+p.token)

	resp, err := p.client.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("posting WHIP offer to %s: %w", endpoint, err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerSize))
	if err != nil {
		return "", "", fmt.Errorf("reading WHIP answer from %s: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusCreated {
		return "", "", &StatusError{Endpoint: endpoint, Status: resp.StatusCode}
	}

	location, err := resolveLocation(endpoint, resp.Header.Get("Location"))
	if err != nil {
		return "", "", err
	}

	return string(body), location, nil
}

func resolveLocation(endpoint, location string) (string, error) {
	if location == "" {
		return "", fmt.Errorf("WHIP answer from %s has no Location header", endpoint)
	}

	base, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("parsing WHIP endpoint %q: %w", endpoint, err)
	}
	ref, err := url.Parse(location)
	if err != nil {
		return "", fmt.Errorf("parsing WHIP Location %q: %w", location, err)
	}

	return base.ResolveReference(ref).String(), nil
}

// StatusError is a WHIP request that the hub answered with an unexpected
// HTTP status.
type StatusError struct {
	Endpoint string
	Status   int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("WHIP request to %s failed with HTTP %d", e.Endpoint, e.Status)
}

func (p *Publication) onState(state webrtc.PeerConnectionState) {
	p.log.Info("publication state changed", "state", state.String(), "resource", p.resource)

	switch state {
	case webrtc.PeerConnectionStateConnected:
		p.connectOnce.Do(func() { close(p.connected) })
	case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
		p.endOnce.Do(func() { close(p.ended) })
	}
}

// Connected is closed once ICE and DTLS have connected.
func (p *Publication) Connected() <-chan struct{} { return p.connected }

// Ended is closed when the connection failed or was closed.
func (p *Publication) Ended() <-chan struct{} { return p.ended }

// deleteAfterStall bounds the session deletion that follows a peer
// connection close that timed out.
const deleteAfterStall = 2 * time.Second

// Close closes the peer connection and then deletes the session resource
// on the hub. It leaves the tracks open: close them after Close returns,
// because closing a mediadevices track while its peer connection still
// reads from it can hang.
//
// Closing the peer connection waits for each mediadevices track to stop
// writing, and a track whose source has stalled (a camera pulled out
// mid-frame) never does until the track itself is closed. So Close gives
// up waiting when ctx ends, letting the caller close the tracks, which
// releases the peer connection's close in the background.
//
// NOTE: the stall was seen once, in a goroutine dump of a kiosk test run
// on a loaded machine (an unbind waiting on an audio track's writer); a
// test with a stalling camera did not reproduce it, so this path has no
// test of its own.
func (p *Publication) Close(ctx context.Context) error {
	p.closeOnce.Do(func() {
		closed := make(chan error, 1)
		go func() { closed <- p.pc.Close() }()
		var pcErr error
		select {
		case pcErr = <-closed:
		case <-ctx.Done():
			pcErr = fmt.Errorf("closing the peer connection: %w (a track is still writing; closing the tracks ends it)", ctx.Err())
		}
		p.endOnce.Do(func() { close(p.ended) })

		// The hub's session resource is still worth deleting when the wait
		// above used up ctx, so that deletion gets a short time of its own.
		delCtx := ctx
		if ctx.Err() != nil {
			var cancel context.CancelFunc
			delCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), deleteAfterStall)
			defer cancel()
		}
		p.closeErr = errors.Join(pcErr, p.deleteResource(delCtx))
	})

	return p.closeErr
}

func (p *Publication) deleteResource(ctx context.Context) error {
	if p.resource == "" {
		return nil
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, p.resource, nil)
	if err != nil {
		return fmt.Errorf("building WHIP delete for %q: %w", p.resource, err)
	}
	req.Header.Set("Authorization", "Bearer "+p.token)

	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("deleting WHIP session %s: %w", p.resource, err)
	}
	resp.Body.Close()

	// 404 means the hub already dropped the session, which is the goal.
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotFound {
		return &StatusError{Endpoint: p.resource, Status: resp.StatusCode}
	}

	return nil
}
