package rtcpeer

import "testing"

func TestReceivedCountsLossAcrossWrap(t *testing.T) {
	tests := []struct {
		name         string
		seqs         []uint16
		wantPackets  uint64
		wantExpected uint64
	}{
		{"in order", []uint16{10, 11, 12}, 3, 3},
		{"one lost", []uint16{10, 11, 13}, 3, 4},
		{"reordered", []uint16{10, 12, 11, 13}, 4, 4},
		{"wrap", []uint16{65534, 65535, 0, 1}, 4, 4},
		{"loss at wrap", []uint16{65534, 0, 1}, 3, 4},
		{"late packet before wrap", []uint16{65535, 0, 65534, 1}, 4, 4},
		{"late packet before first at zero", []uint16{0, 1, 65535}, 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Received
			for _, seq := range tt.seqs {
				r.record(seq, 100, false)
			}
			got := r.Stats()
			if got.Packets != tt.wantPackets {
				t.Errorf("got %d packets, want %d", got.Packets, tt.wantPackets)
			}
			if got.Expected != tt.wantExpected {
				t.Errorf("got %d expected, want %d", got.Expected, tt.wantExpected)
			}
		})
	}
}
