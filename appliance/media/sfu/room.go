package sfu

import (
	"fmt"
	"slices"
	"sync/atomic"
)

// room is one service room. Its fields other than hold are guarded by
// SFU.mu. A room exists while it has participants, so its hold and
// recording state end with its last participant.
type room struct {
	id           RoomID
	participants map[ParticipantID]*Participant
	tracks       []*pubTrack
	recording    bool
	hold         atomic.Bool
}

func newRoom(id RoomID) *room {
	return &room{id: id, participants: make(map[ParticipantID]*Participant)}
}

func (r *room) members() []*Participant {
	out := make([]*Participant, 0, len(r.participants))
	for _, p := range r.participants {
		out = append(out, p)
	}

	return out
}

// subscribeLocked gives p a down track for every track that others
// publish in its room and that p's JoinOptions.Sources admits.
func (s *SFU) subscribeLocked(p *Participant) {
	if !p.jo.CanSubscribe {
		return
	}
	for _, t := range p.room.tracks {
		if p.receives(t) {
			s.addDownLocked(p, t)
		}
	}
}

// publishLocked adds a new published track to its owner's room and
// subscribes every other participant whose sources admit it.
func (s *SFU) publishLocked(t *pubTrack) {
	r := t.owner.room
	r.tracks = append(r.tracks, t)
	t.room.Store(r)
	for _, sub := range r.participants {
		if sub.jo.CanSubscribe && sub.receives(t) {
			s.addDownLocked(sub, t)
		}
	}
	if r.recording {
		s.startSinkLocked(t)
	}
}

// unpublishLocked removes a published track from its room, drops every
// subscription to it and closes its recording sink. The slots it leaves
// free take another admitted track of the room, if there is one.
func (s *SFU) unpublishLocked(t *pubTrack) {
	r := t.room.Load()
	if r != nil {
		r.tracks = slices.DeleteFunc(r.tracks, func(x *pubTrack) bool { return x == t })
	}
	t.room.Store(nil)
	downs := t.downList()
	for _, d := range downs {
		s.removeDownLocked(d)
	}
	for _, d := range downs {
		s.refillSlotsLocked(d.sub)
	}
	s.stopSinkLocked(t)
}

// removeLocked takes p out of its room. The caller closes p's peer
// connection after releasing SFU.mu.
func (s *SFU) removeLocked(p *Participant) {
	if p.removed {
		return
	}
	p.removed = true
	r := p.room
	if r.participants[p.id] == p {
		delete(r.participants, p.id)
	}

	for _, d := range p.downs {
		d.detachLocked()
	}
	p.downs = nil
	for _, t := range p.ownTracks {
		s.unpublishLocked(t)
	}

	if len(r.participants) == 0 && s.rooms[r.id] == r {
		delete(s.rooms, r.id)
	}
}

func (s *SFU) participantLocked(roomID RoomID, id ParticipantID) (*Participant, error) {
	r := s.rooms[roomID]
	if r == nil {
		return nil, fmt.Errorf("room %s: %w", roomID, ErrRoomNotFound)
	}
	p := r.participants[id]
	if p == nil {
		return nil, fmt.Errorf("participant %s in room %s: %w", id, roomID, ErrParticipantNotFound)
	}

	return p, nil
}

// SetHold stops forwarding between the participants of a room while on
// is true. Publishers keep sending, so resume is instant, and resume
// requests a keyframe from every video publisher so subscribers recover
// at once.
func (s *SFU) SetHold(roomID RoomID, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	r := s.rooms[roomID]
	if r == nil {
		return fmt.Errorf("setting hold on room %s: %w", roomID, ErrRoomNotFound)
	}
	r.hold.Store(on)
	if !on {
		for _, t := range r.tracks {
			t.requestKeyframe()
		}
	}
	s.log.Info("room hold changed", "room", roomID, "hold", on)

	return nil
}

// SetSpeaking lets a participant's audio through to the room or, with
// allowed false, drops it at the SFU. Every participant may speak when
// it joins; a group window gates citizens right after Join.
func (s *SFU) SetSpeaking(roomID RoomID, id ParticipantID, allowed bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	p, err := s.participantLocked(roomID, id)
	if err != nil {
		return fmt.Errorf("setting speaking: %w", err)
	}
	p.speaking.Store(allowed)

	return nil
}

// SetRecording starts or stops a Recorder sink for every track published
// in the room, now and later while on is true.
func (s *SFU) SetRecording(roomID RoomID, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	r := s.rooms[roomID]
	if r == nil {
		return fmt.Errorf("setting recording on room %s: %w", roomID, ErrRoomNotFound)
	}
	if on && s.opts.Recorder == nil {
		return fmt.Errorf("setting recording on room %s: no recorder configured", roomID)
	}
	r.recording = on
	for _, t := range r.tracks {
		if on {
			s.startSinkLocked(t)
		} else {
			s.stopSinkLocked(t)
		}
	}

	return nil
}

// Move transfers a participant and its peer connection to another room:
// its tracks leave the old room's subscribers and reach the new room's,
// and it subscribes to the new room's tracks. A participant with the
// same id in the target room is evicted as a ghost.
func (s *SFU) Move(from RoomID, id ParticipantID, to RoomID) error {
	s.mu.Lock()
	p, err := s.participantLocked(from, id)
	if err != nil {
		s.mu.Unlock()

		return fmt.Errorf("moving to room %s: %w", to, err)
	}
	if from == to {
		s.mu.Unlock()

		return nil
	}

	target := s.roomLocked(to)
	ghost := target.participants[id]
	if ghost != nil {
		s.removeLocked(ghost)
	}
	s.leaveLocked(p)
	p.room = target
	target.participants[id] = p
	for _, t := range p.ownTracks {
		s.publishLocked(t)
	}
	s.subscribeLocked(p)
	p.kick(false)
	s.mu.Unlock()

	if ghost != nil {
		ghost.closePeer()
	}
	s.log.Info("participant moved", "from", from, "to", to, "participant", id)

	return nil
}

// leaveLocked takes p out of its room but keeps its peer connection and
// its published tracks for the next room.
func (s *SFU) leaveLocked(p *Participant) {
	r := p.room
	delete(r.participants, p.id)
	for _, d := range slices.Clone(p.downs) {
		s.removeDownLocked(d)
	}
	for _, t := range p.ownTracks {
		s.unpublishLocked(t)
	}
	if len(r.participants) == 0 && s.rooms[r.id] == r {
		delete(s.rooms, r.id)
	}
}

// Stats returns the RTP totals of every current participant of a room.
// An unknown room has no participants.
func (s *SFU) Stats(roomID RoomID) RoomStats {
	s.mu.Lock()
	defer s.mu.Unlock()

	out := RoomStats{Room: roomID, Participants: map[ParticipantID]ParticipantStats{}}
	r := s.rooms[roomID]
	if r == nil {
		return out
	}
	out.Hold = r.hold.Load()
	for id, p := range r.participants {
		out.Participants[id] = p.Stats()
	}

	return out
}
