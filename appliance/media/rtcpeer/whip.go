package rtcpeer

import (
	"context"
	"fmt"

	"github.com/pion/webrtc/v4"
)

// AddReceivers adds one receive-only audio and one video transceiver, as
// a WHEP player offers them.
func (p *Peer) AddReceivers() error {
	recvOnly := webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}
	for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		if _, err := p.pc.AddTransceiverFromKind(kind, recvOnly); err != nil {
			return fmt.Errorf("adding %s receiver: %w", kind, err)
		}
	}

	return nil
}

// Offer creates the client offer of a WHIP or WHEP session. It waits for
// ICE gathering, because those protocols carry candidates in the SDP.
func (p *Peer) Offer(ctx context.Context) (string, error) {
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("creating offer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(offer); err != nil {
		return "", fmt.Errorf("applying offer: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", fmt.Errorf("gathering ICE candidates: %w", ctx.Err())
	}

	return p.pc.LocalDescription().SDP, nil
}

// SetAnswer applies the server's answer to Offer.
func (p *Peer) SetAnswer(sdp string) error {
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		return fmt.Errorf("applying answer: %w", err)
	}

	return nil
}
