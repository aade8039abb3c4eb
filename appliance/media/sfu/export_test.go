package sfu

// SlotSource returns the publisher whose track feeds p's first slot of a
// kind, or "" when that slot is free or p has none. Slots exist only for
// participants that negotiate with Participant.Answer.
func SlotSource(p *Participant, kind Kind) ParticipantID {
	p.sfu.mu.Lock()
	defer p.sfu.mu.Unlock()

	for _, d := range p.downs {
		if Kind(d.Kind().String()) != kind {
			continue
		}
		if src := d.src.Load(); src != nil {
			return src.owner.id
		}

		return ""
	}

	return ""
}

// Transceivers returns the number of transceivers on p's peer
// connection at the hub.
func Transceivers(p *Participant) int {
	return len(p.pc.GetTransceivers())
}
