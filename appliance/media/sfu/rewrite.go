package sfu

import (
	"sync"
	"time"

	"github.com/pion/rtp"
)

// rtpRewriter keeps the sequence numbers and timestamps of a slot's
// output continuous when the slot switches to another published track.
// Each publisher starts at its own random sequence number. An SRTP
// receiver drops packets whose index falls behind its replay window, as
// pion's srtp v3 does, so without rewriting a player could get nothing
// from the new source.
type rtpRewriter struct {
	clockRate uint32

	mu sync.Mutex
	// src is the track of the last packet written. A nil src means no
	// packet was written yet, so the first source keeps its numbers.
	src       *pubTrack
	seqOffset uint16
	tsOffset  uint32
	lastSeq   uint16
	lastTS    uint32
	lastAt    time.Time
}

// rewrite returns h renumbered to continue the slot's output. On a
// switch of source the next packet follows the last one written, with a
// timestamp advanced by the wall-clock time between them.
func (r *rtpRewriter) rewrite(src *pubTrack, h rtp.Header) rtp.Header {
	r.mu.Lock()
	defer r.mu.Unlock()

	now := time.Now()
	if r.src != nil && r.src != src {
		r.seqOffset = r.lastSeq + 1 - h.SequenceNumber
		r.tsOffset = r.lastTS + r.ticksSince(now) - h.Timestamp
	}
	h.SequenceNumber += r.seqOffset
	h.Timestamp += r.tsOffset

	if r.src != src || seqNewer(h.SequenceNumber, r.lastSeq) {
		r.lastSeq = h.SequenceNumber
		r.lastTS = h.Timestamp
		r.lastAt = now
	}
	r.src = src

	return h
}

// ticksSince returns the RTP clock ticks from the last packet written to
// now, at least 1 so the timestamp always advances.
func (r *rtpRewriter) ticksSince(now time.Time) uint32 {
	ticks := uint64(now.Sub(r.lastAt).Seconds() * float64(r.clockRate))
	if ticks < 1 {
		return 1
	}

	return uint32(ticks)
}

// seqNewer reports whether sequence number a follows b, modulo 2^16.
func seqNewer(a, b uint16) bool {
	return a != b && a-b < 0x8000
}
