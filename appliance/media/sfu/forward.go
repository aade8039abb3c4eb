package sfu

import (
	"errors"
	"io"
	"slices"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// keyframeInterval is the minimum gap between two PLIs sent to one
// publisher, so a burst of joins or subscriber PLIs costs one keyframe.
const keyframeInterval = 300 * time.Millisecond

// pubTrack is one track that a participant publishes. Its room and down
// tracks change under SFU.mu; the forwarding loop reads them atomically.
type pubTrack struct {
	owner  *Participant
	remote *webrtc.TrackRemote
	kind   Kind

	room    atomic.Pointer[room]
	downs   atomic.Pointer[[]*downTrack]
	sink    atomic.Pointer[sinkBox]
	lastPLI atomic.Int64
}

type sinkBox struct{ sink TrackSink }

func (t *pubTrack) downList() []*downTrack {
	if list := t.downs.Load(); list != nil {
		return *list
	}

	return nil
}

// setDowns replaces the down track list; copy-on-write keeps the
// forwarding loop lock-free.
func (t *pubTrack) setDowns(list []*downTrack) {
	t.downs.Store(&list)
}

// requestKeyframe sends a PLI to the publisher of a video track, at most
// once per keyframeInterval.
func (t *pubTrack) requestKeyframe() {
	t.sendPLI(false)
}

// sendPLI sends a PLI unless one went out within keyframeInterval and
// force is false.
func (t *pubTrack) sendPLI(force bool) {
	if t.kind != KindVideo {
		return
	}
	now := time.Now().UnixNano()
	last := t.lastPLI.Load()
	if !force && now-last < int64(keyframeInterval) {
		return
	}
	if !t.lastPLI.CompareAndSwap(last, now) {
		return
	}
	pli := &rtcp.PictureLossIndication{MediaSSRC: uint32(t.remote.SSRC())}
	if err := t.owner.pc.WriteRTCP([]rtcp.Packet{pli}); err != nil {
		t.owner.log.Debug("sending PLI failed", "error", err)
	}
}

// forward reads the publisher's RTP until the track ends and copies each
// packet to the recording sink and to every bound down track.
func (t *pubTrack) forward() {
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	kindIndex := kindIndexOf(t.kind)

	for {
		n, _, err := t.remote.Read(buf)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.owner.log.Debug("reading published track ended", "kind", t.kind, "error", err)
			}

			return
		}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			continue
		}
		t.owner.in[kindIndex].add(n)

		r := t.room.Load()
		if r == nil || r.hold.Load() {
			continue
		}
		if t.kind == KindAudio && !t.owner.speaking.Load() {
			continue
		}
		t.writeSink(&pkt)

		// Header extension ids are negotiated per peer connection, so the
		// publisher's ids mean nothing to a subscriber. The subscriber's
		// own interceptors add the extensions it negotiated.
		pkt.Header.Extension = false
		pkt.Header.Extensions = nil
		if len(pkt.Payload) == 0 {
			continue
		}
		for _, d := range t.downList() {
			d.write(t, &pkt, n, kindIndex)
		}
	}
}

func (t *pubTrack) writeSink(pkt *rtp.Packet) {
	box := t.sink.Load()
	if box == nil {
		return
	}
	if err := box.sink.WriteRTP(pkt); err != nil {
		t.owner.log.Warn("recording track failed", "kind", t.kind, "error", err)
		if t.sink.CompareAndSwap(box, nil) {
			_ = box.sink.Close()
		}
	}
}

func (s *SFU) startSinkLocked(t *pubTrack) {
	if s.opts.Recorder == nil || t.sink.Load() != nil {
		return
	}
	r := t.room.Load()
	if r == nil {
		return
	}
	sink, err := s.opts.Recorder.StartTrack(r.id, t.owner.id, t.remote.Codec())
	if err != nil {
		s.log.Warn("starting track recording failed", "room", r.id,
			"participant", t.owner.id, "kind", t.kind, "error", err)

		return
	}
	t.sink.Store(&sinkBox{sink: sink})
	t.requestKeyframe()
}

func (s *SFU) stopSinkLocked(t *pubTrack) {
	box := t.sink.Swap(nil)
	if box == nil {
		return
	}
	if err := box.sink.Close(); err != nil {
		s.log.Warn("closing track recording failed", "participant", t.owner.id,
			"kind", t.kind, "error", err)
	}
}

// downTrack is the hub's copy of one published track on one subscriber's
// peer connection. It wraps TrackLocalStaticRTP to learn when the
// subscriber's transceiver is bound, so packets and counters start only
// after negotiation and the publisher is asked for a keyframe then.
type downTrack struct {
	*webrtc.TrackLocalStaticRTP
	sub *Participant
	// src changes under SFU.mu but is read atomically, because pion calls
	// Bind with the peer connection's lock held while another goroutine
	// may hold SFU.mu and wait for that lock in AddTrack. It is nil for a
	// free WHEP slot.
	src    atomic.Pointer[pubTrack]
	sender *webrtc.RTPSender
	bound  atomic.Bool
	// rewriter renumbers a slot's packets across changes of source. It
	// is nil for the down tracks of signalling participants, whose
	// source never changes.
	rewriter *rtpRewriter
}

func (d *downTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	codec, err := d.TrackLocalStaticRTP.Bind(ctx)
	if err != nil {
		return codec, err
	}
	d.bound.Store(true)
	// Forced, because a PLI sent a moment earlier (for another
	// subscriber, or before this one was bound) produced a keyframe that
	// this subscriber did not get.
	if src := d.src.Load(); src != nil {
		src.sendPLI(true)
	}

	return codec, nil
}

func (d *downTrack) Unbind(ctx webrtc.TrackLocalContext) error {
	d.bound.Store(false)

	return d.TrackLocalStaticRTP.Unbind(ctx)
}

// write sends one packet of src to the subscriber. A slot drops a packet
// from a source it no longer plays, which the source's forwarding loop
// may still hold in its down track list for a moment after the switch.
func (d *downTrack) write(src *pubTrack, pkt *rtp.Packet, size, kindIndex int) {
	if !d.bound.Load() {
		return
	}
	if d.rewriter != nil {
		if d.src.Load() != src {
			return
		}
		pkt = &rtp.Packet{Header: d.rewriter.rewrite(src, pkt.Header), Payload: pkt.Payload}
	}
	if err := d.WriteRTP(pkt); err != nil {
		return
	}
	d.sub.out[kindIndex].add(size)
}

// addDownLocked subscribes sub to t: a new sender on sub's peer
// connection and a renegotiation, or for a participant without
// signalling a free slot of the same kind and codec.
func (s *SFU) addDownLocked(sub *Participant, t *pubTrack) {
	if sub.jo.Signal == nil {
		s.fillSlotLocked(sub, t)

		return
	}

	codec := t.remote.Codec().RTPCodecCapability
	local, err := webrtc.NewTrackLocalStaticRTP(codec, string(t.kind), "wenban-"+string(t.owner.id))
	if err != nil {
		s.log.Warn("creating down track failed", "participant", sub.id, "kind", t.kind, "error", err)

		return
	}
	d := &downTrack{TrackLocalStaticRTP: local, sub: sub}
	d.src.Store(t)
	// NOTE: every down track gets a new transceiver and pion v4 never
	// removes one, so a subscriber's session grows by one section per
	// track that ever left its room. WebRTC lets a section that a
	// negotiation made inactive carry a new track, but a pion v4.2.26
	// answerer stops its transceiver on every offer that shows the
	// section inactive and replaces the stopped receiver only the first
	// time. A pion client (rtcpeer, wenban-loadgen) then gets no OnTrack
	// for a section reused after a second such offer, as
	// TestPionReusedSectionAfterInactiveOffers shows.
	sendOnly := webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}
	transceiver, err := sub.pc.AddTransceiverFromTrack(d, sendOnly)
	if err != nil {
		s.log.Warn("adding down track failed", "participant", sub.id, "kind", t.kind, "error", err)

		return
	}
	sub.hubSections.Add(1)
	d.sender = transceiver.Sender()
	sub.downs = append(sub.downs, d)
	t.setDowns(append(slices.Clone(t.downList()), d))
	s.readSenderRTCP(d)
	sub.kick(false)
}

// fillSlotLocked attaches a free slot of sub (created by Answer) to t
// when sub's sources admit t, kind and codec match and no other slot of
// sub already plays t.
func (s *SFU) fillSlotLocked(sub *Participant, t *pubTrack) {
	if !sub.receives(t) {
		return
	}
	if slices.ContainsFunc(sub.downs, func(d *downTrack) bool { return d.src.Load() == t }) {
		return
	}
	for _, d := range sub.downs {
		if d.src.Load() != nil || d.Kind() != t.remote.Kind() {
			continue
		}
		if d.Codec().MimeType != t.remote.Codec().MimeType {
			continue
		}
		d.src.Store(t)
		t.setDowns(append(slices.Clone(t.downList()), d))
		t.requestKeyframe()

		return
	}
}

// removeDownLocked ends one subscription. A signalling participant loses
// the sender and renegotiates; a slot is only freed for the next track.
func (s *SFU) removeDownLocked(d *downTrack) {
	d.detachLocked()
	sub := d.sub
	if sub.jo.Signal == nil {
		return
	}
	sub.downs = slices.DeleteFunc(sub.downs, func(x *downTrack) bool { return x == d })
	if err := sub.pc.RemoveTrack(d.sender); err != nil && !sub.removed {
		s.log.Debug("removing down track failed", "participant", sub.id, "error", err)
	}
	sub.kick(false)
}

// detachLocked stops forwarding from d's source to d.
func (d *downTrack) detachLocked() {
	src := d.src.Swap(nil)
	if src == nil {
		return
	}
	src.setDowns(slices.DeleteFunc(slices.Clone(src.downList()), func(x *downTrack) bool { return x == d }))
}

// readSenderRTCP drains a subscriber's RTCP, which the interceptors need,
// and turns its PLIs and FIRs into keyframe requests to the publisher.
func (s *SFU) readSenderRTCP(d *downTrack) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			packets, _, err := d.sender.ReadRTCP()
			if err != nil {
				return
			}
			if !wantsKeyframe(packets) {
				continue
			}
			if src := d.src.Load(); src != nil {
				src.requestKeyframe()
			}
		}
	}()
}

func wantsKeyframe(packets []rtcp.Packet) bool {
	for _, p := range packets {
		switch p.(type) {
		case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
			return true
		}
	}

	return false
}
