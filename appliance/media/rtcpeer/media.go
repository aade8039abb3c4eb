package rtcpeer

import (
	"fmt"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
)

const (
	videoFPS      = 30
	audioInterval = 20 * time.Millisecond
	// audioFrameSize is a 20 ms Opus frame at about 32 kbps.
	audioFrameSize = 80
)

// VP8 frame tag bytes (RFC 6386 section 9.1): bit 0 is the frame type,
// 0 for a keyframe, and bit 4 is show_frame.
const (
	vp8KeyTag   = 0x10
	vp8InterTag = 0x11
)

func (p *Peer) addVideo() error {
	track, err := webrtc.NewTrackLocalStaticSample(
		webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "rtcpeer")
	if err != nil {
		return fmt.Errorf("creating VP8 track: %w", err)
	}
	sender, err := p.pc.AddTrack(track)
	if err != nil {
		return fmt.Errorf("adding VP8 track: %w", err)
	}

	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		p.readKeyframeRequests(sender)
	}()
	go func() {
		defer p.wg.Done()
		p.sendVideo(track)
	}()

	return nil
}

// readKeyframeRequests turns the hub's PLIs and FIRs into a keyframe on
// the next frame, as a real encoder does.
func (p *Peer) readKeyframeRequests(sender *webrtc.RTPSender) {
	for {
		packets, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, pkt := range packets {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				p.keyframeRequests.Add(1)
				select {
				case p.keyframeWanted <- struct{}{}:
				default:
				}
			}
		}
	}
}

// KeyframeRequests returns the number of PLIs and FIRs the hub sent to
// this peer's video track.
func (p *Peer) KeyframeRequests() uint64 { return p.keyframeRequests.Load() }

// sendVideo writes frames of VideoBitrate/8/30 bytes at 30 frames per
// second. Only the first frame and frames after a PLI are keyframes, so
// a subscriber that decodes anything proves the PLI path works.
func (p *Peer) sendVideo(track *webrtc.TrackLocalStaticSample) {
	frame := make([]byte, p.opts.VideoBitrate/8/videoFPS)
	interval := time.Second / videoFPS
	ticker := time.NewTicker(interval)
	defer ticker.Stop()

	key := true
	for {
		select {
		case <-p.done:
			return
		case <-p.keyframeWanted:
			key = true
		case <-ticker.C:
			frame[0] = vp8InterTag
			if key {
				frame[0] = vp8KeyTag
				key = false
			}
			_ = track.WriteSample(media.Sample{Data: frame, Duration: interval})
		}
	}
}

func (p *Peer) addAudio() error {
	track, err := webrtc.NewTrackLocalStaticSample(
		webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "rtcpeer")
	if err != nil {
		return fmt.Errorf("creating Opus track: %w", err)
	}
	sender, err := p.pc.AddTrack(track)
	if err != nil {
		return fmt.Errorf("adding Opus track: %w", err)
	}

	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		for {
			if _, _, err := sender.ReadRTCP(); err != nil {
				return
			}
		}
	}()
	go func() {
		defer p.wg.Done()
		frame := make([]byte, audioFrameSize)
		ticker := time.NewTicker(audioInterval)
		defer ticker.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-ticker.C:
				_ = track.WriteSample(media.Sample{Data: frame, Duration: audioInterval})
			}
		}
	}()

	return nil
}

// Received is the traffic a peer got on one remote track.
type Received struct {
	Kind     string
	StreamID string

	mu        sync.Mutex
	packets   uint64
	bytes     uint64
	keyframes uint64
	firstAt   time.Time
	firstSeq  uint64
	maxSeq    uint64
	started   bool
}

// ReceivedStats is a snapshot of Received.
type ReceivedStats struct {
	Kind      string
	StreamID  string
	Packets   uint64
	Bytes     uint64
	Keyframes uint64
	// Expected is the packet count the sequence numbers span, so
	// Expected-Packets is the loss after NACK recovery.
	Expected uint64
	FirstAt  time.Time
}

func (r *Received) record(seq uint16, size int, keyframe bool) {
	r.mu.Lock()
	defer r.mu.Unlock()

	// The first packet starts in cycle 1, so a late packet from before it
	// still has a cycle to fall back to.
	ext := uint64(seq) + 0x10000
	if !r.started {
		r.started = true
		r.firstAt = time.Now()
		r.firstSeq = ext
		r.maxSeq = ext
	} else {
		// Extend the 16-bit sequence number by choosing the cycle closest
		// to the highest number seen.
		cycle := r.maxSeq &^ 0xffff
		ext = cycle | uint64(seq)
		if ext+0x8000 < r.maxSeq {
			ext += 0x10000
		} else if ext > r.maxSeq+0x8000 && ext >= 0x10000 {
			ext -= 0x10000
		}
		if ext > r.maxSeq {
			r.maxSeq = ext
		}
		// A packet reordered before the first one received widens the
		// expected span too.
		if ext < r.firstSeq {
			r.firstSeq = ext
		}
	}
	r.packets++
	r.bytes += uint64(size)
	if keyframe {
		r.keyframes++
	}
}

// Stats returns a snapshot.
func (r *Received) Stats() ReceivedStats {
	r.mu.Lock()
	defer r.mu.Unlock()

	out := ReceivedStats{Kind: r.Kind, StreamID: r.StreamID, Packets: r.packets, Bytes: r.bytes,
		Keyframes: r.keyframes, FirstAt: r.firstAt}
	if r.started {
		out.Expected = r.maxSeq - r.firstSeq + 1
	}

	return out
}

func (p *Peer) onTrack(remote *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	rec := &Received{Kind: remote.Kind().String(), StreamID: remote.StreamID()}
	p.mu.Lock()
	p.tracks = append(p.tracks, rec)
	p.mu.Unlock()

	for {
		pkt, _, err := remote.ReadRTP()
		if err != nil {
			return
		}
		rec.record(pkt.SequenceNumber, pkt.MarshalSize(), isVP8Keyframe(remote, pkt.Payload))
	}
}

// isVP8Keyframe reports whether a VP8 packet starts a keyframe.
func isVP8Keyframe(remote *webrtc.TrackRemote, payload []byte) bool {
	if remote.Kind() != webrtc.RTPCodecTypeVideo {
		return false
	}
	var vp8 codecs.VP8Packet
	if _, err := vp8.Unmarshal(payload); err != nil {
		return false
	}

	return vp8.S == 1 && vp8.PID == 0 && len(vp8.Payload) > 0 && vp8.Payload[0]&0x01 == 0
}

// Tracks returns a snapshot of every remote track received so far.
func (p *Peer) Tracks() []ReceivedStats {
	p.mu.Lock()
	list := append([]*Received(nil), p.tracks...)
	p.mu.Unlock()

	out := make([]ReceivedStats, 0, len(list))
	for _, r := range list {
		out = append(out, r.Stats())
	}

	return out
}

// Total sums the received packets and keyframes of one kind.
func (p *Peer) Total(kind string) ReceivedStats {
	sum := ReceivedStats{Kind: kind}
	for _, t := range p.Tracks() {
		if t.Kind != kind {
			continue
		}
		sum.Packets += t.Packets
		sum.Bytes += t.Bytes
		sum.Keyframes += t.Keyframes
		sum.Expected += t.Expected
		if sum.FirstAt.IsZero() || (!t.FirstAt.IsZero() && t.FirstAt.Before(sum.FirstAt)) {
			sum.FirstAt = t.FirstAt
		}
	}

	return sum
}
