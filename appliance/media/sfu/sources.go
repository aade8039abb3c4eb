package sfu

// receives reports whether p subscribes to t: a track that another
// participant publishes and that p's JoinOptions.Sources admits.
func (p *Participant) receives(t *pubTrack) bool {
	if t.owner == p {
		return false
	}

	return p.jo.Sources == nil || p.jo.Sources(t.owner.id)
}

// refillSlotsLocked gives each free slot of a participant without
// signalling the first admitted track of its kind still in the room. A
// player whose source left then plays another admitted publisher that is
// already there, such as a second staff member.
func (s *SFU) refillSlotsLocked(sub *Participant) {
	if sub.removed || sub.jo.Signal != nil {
		return
	}
	for _, t := range sub.room.tracks {
		if sub.receives(t) {
			s.fillSlotLocked(sub, t)
		}
	}
}
