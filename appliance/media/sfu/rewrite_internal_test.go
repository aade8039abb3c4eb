package sfu

import (
	"testing"

	"github.com/pion/rtp"
)

func TestRTPRewriterContinuesAcrossSources(t *testing.T) {
	first, second := &pubTrack{}, &pubTrack{}
	type step struct {
		src     *pubTrack
		seq     uint16
		ts      uint32
		wantSeq uint16
		// minTS and maxTS bound the rewritten timestamp, because a
		// switch adds the wall-clock gap since the previous packet.
		minTS, maxTS uint32
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"first source keeps its numbers", []step{
			{first, 100, 9000, 100, 9000, 9000},
			{first, 101, 12000, 101, 12000, 12000},
		}},
		{"switch continues after the last packet", []step{
			{first, 100, 9000, 100, 9000, 9000},
			{second, 40000, 500, 101, 9001, 9000 + 90000},
			{second, 40001, 3500, 102, 12001, 12000 + 90000},
		}},
		{"switch across the sequence wrap", []step{
			{first, 65535, 1000, 65535, 1000, 1000},
			{second, 7, 0, 0, 1001, 1000 + 90000},
			{second, 8, 3000, 1, 4001, 4000 + 90000},
		}},
		{"late packet of the same source keeps the offset", []step{
			{first, 10, 1000, 10, 1000, 1000},
			{second, 500, 0, 11, 1001, 1000 + 90000},
			{second, 502, 6000, 13, 7001, 7000 + 90000},
			{second, 501, 3000, 12, 4001, 4000 + 90000},
			{second, 503, 9000, 14, 10001, 10000 + 90000},
		}},
		{"switch back uses the highest number written", []step{
			{first, 10, 1000, 10, 1000, 1000},
			{second, 500, 0, 11, 1001, 1000 + 90000},
			{first, 20, 4000, 12, 1002, 1001 + 90000*2},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &rtpRewriter{clockRate: 90000}
			for i, s := range tt.steps {
				got := r.rewrite(s.src, rtp.Header{SequenceNumber: s.seq, Timestamp: s.ts})
				if got.SequenceNumber != s.wantSeq {
					t.Errorf("step %d: got sequence number %d, want %d", i, got.SequenceNumber, s.wantSeq)
				}
				if got.Timestamp < s.minTS || got.Timestamp > s.maxTS {
					t.Errorf("step %d: got timestamp %d, want %d..%d", i, got.Timestamp, s.minTS, s.maxTS)
				}
			}
		})
	}
}

func TestSeqNewer(t *testing.T) {
	tests := []struct {
		name string
		a, b uint16
		want bool
	}{
		{"next", 11, 10, true},
		{"same", 10, 10, false},
		{"previous", 9, 10, false},
		{"across the wrap", 2, 65534, true},
		{"behind across the wrap", 65534, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := seqNewer(tt.a, tt.b); got != tt.want {
				t.Errorf("seqNewer(%d, %d) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
