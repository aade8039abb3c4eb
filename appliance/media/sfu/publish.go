package sfu

import (
	"fmt"
	"slices"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// onTrack runs on pion's goroutine for each new track the participant
// sends. It publishes the track to the room and forwards it until the
// track ends.
func (p *Participant) onTrack(remote *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	s := p.sfu
	kind := Kind(remote.Kind().String())
	if !p.jo.CanPublish {
		p.log.Warn("track from a participant without publish right ignored", "kind", kind)

		return
	}
	t := &pubTrack{owner: p, remote: remote, kind: kind}

	s.mu.Lock()
	if p.removed || s.closed {
		s.mu.Unlock()

		return
	}
	if len(p.ownTracks) >= maxPublishedTracks {
		s.mu.Unlock()
		p.log.Warn("track beyond the participant's limit ignored", "kind", kind, "limit", maxPublishedTracks)

		return
	}
	s.wg.Add(1)
	p.ownTracks = append(p.ownTracks, t)
	s.publishLocked(t)
	s.mu.Unlock()
	p.log.Debug("track published", "kind", kind, "codec", remote.Codec().MimeType)

	defer s.wg.Done()
	t.forward()

	s.mu.Lock()
	p.ownTracks = slices.DeleteFunc(p.ownTracks, func(x *pubTrack) bool { return x == t })
	s.unpublishLocked(t)
	s.mu.Unlock()
}

// addSlots gives a participant without signalling one send-only track per
// media section that the offer wants to receive, so the answer already
// carries them and no renegotiation is needed when the room's publisher
// changes.
func (p *Participant) addSlots(offerSDP string) error {
	var desc sdp.SessionDescription
	if err := desc.UnmarshalString(offerSDP); err != nil {
		return fmt.Errorf("parsing offer: %w", ErrBadSignal)
	}

	s := p.sfu
	s.mu.Lock()
	defer s.mu.Unlock()

	for _, media := range desc.MediaDescriptions {
		kind := media.MediaName.Media
		if kind != string(KindAudio) && kind != string(KindVideo) {
			continue
		}
		if _, sendOnly := media.Attribute("sendonly"); sendOnly {
			continue
		}
		if err := s.addSlotLocked(p, Kind(kind)); err != nil {
			return err
		}
	}

	return nil
}

func (s *SFU) addSlotLocked(p *Participant, kind Kind) error {
	codec := s.slotCodecLocked(p, kind)
	local, err := webrtc.NewTrackLocalStaticRTP(codec, string(kind), "wenban-"+string(p.room.id))
	if err != nil {
		return fmt.Errorf("creating %s slot: %w", kind, err)
	}
	d := &downTrack{TrackLocalStaticRTP: local, sub: p, rewriter: &rtpRewriter{clockRate: codec.ClockRate}}
	sender, err := p.pc.AddTrack(d)
	if err != nil {
		return fmt.Errorf("adding %s slot: %w", kind, err)
	}
	p.hubSections.Add(1)
	d.sender = sender
	p.downs = append(p.downs, d)
	s.readSenderRTCP(d)

	for _, t := range p.room.tracks {
		if t.kind == kind && p.receives(t) {
			s.fillSlotLocked(p, t)

			break
		}
	}

	return nil
}

// slotCodecLocked picks the codec of the room's first admitted track of a
// kind, or VP8 and Opus when no admitted track of that kind is published
// yet.
// NOTE: a slot created before any publisher only takes a later track of
// the same codec, so a WHEP player that starts before an H.264 publisher
// receives no video until it reconnects.
func (s *SFU) slotCodecLocked(p *Participant, kind Kind) webrtc.RTPCodecCapability {
	for _, t := range p.room.tracks {
		if t.kind == kind && p.receives(t) {
			return t.remote.Codec().RTPCodecCapability
		}
	}
	if kind == KindAudio {
		return webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}
	}

	return webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}
}
