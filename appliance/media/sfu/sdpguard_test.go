package sfu

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
)

func guardSFU(loopback bool) *SFU {
	return &SFU{log: testLog(), loopback: loopback}
}

func TestCandidateAllowed(t *testing.T) {
	tests := []struct {
		name      string
		candidate string
		loopback  bool
		want      bool
	}{
		{"LAN host", "candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host", false, true},
		{"without prefix", "1 1 udp 2122260223 192.168.1.20 54321 typ host", false, true},
		{"TCP active", "candidate:2 1 tcp 1518280447 192.168.1.20 9 typ host tcptype active", false, true},
		{"relay", "candidate:3 1 udp 41885439 203.0.113.7 50000 typ relay raddr 0.0.0.0 rport 0", false, true},
		{"loopback, hub on loopback", "candidate:1 1 udp 1 127.0.0.1 54321 typ host", true, true},
		{"loopback, hub not on loopback", "candidate:1 1 udp 1 127.0.0.1 54321 typ host", false, false},
		{"loopback alias", "candidate:1 1 udp 1 127.0.0.2 54321 typ host", false, false},
		{"IPv6 loopback", "candidate:1 1 udp 1 ::1 54321 typ host", false, false},
		{"metadata service", "candidate:1 1 udp 1 169.254.169.254 80 typ host", true, false},
		{"link-local port 5000", "candidate:1 1 udp 1 169.254.169.254 5000 typ host", true, false},
		{"IPv6 link-local", "candidate:1 1 udp 1 fe80::1 54321 typ host", true, false},
		{"unspecified", "candidate:1 1 udp 1 0.0.0.0 54321 typ host", true, false},
		{"multicast", "candidate:1 1 udp 1 239.255.255.250 1900 typ host", true, false},
		{"broadcast", "candidate:1 1 udp 1 255.255.255.255 54321 typ host", true, false},
		{"privileged UDP port", "candidate:1 1 udp 1 192.168.1.1 53 typ host", true, false},
		{"host name", "candidate:1 1 udp 1 metadata.google.internal 54321 typ host", true, false},
		{"mDNS name", "candidate:1 1 udp 1 0b4f-11.local 54321 typ host", true, false},
		{"bad port", "candidate:1 1 udp 1 192.168.1.20 99999 typ host", true, false},
		{"truncated", "candidate:1 1 udp 1 192.168.1.20", true, false},
		{"empty", "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := guardSFU(tt.loopback).candidateAllowed(tt.candidate); got != tt.want {
				t.Errorf("candidateAllowed(%q) = %v, want %v", tt.candidate, got, tt.want)
			}
		})
	}
}

// offerSDP builds an offer with the given audio sections, each carrying
// the given candidates.
func offerSDP(sections int, candidates ...string) string {
	var b strings.Builder
	b.WriteString("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n")
	for i := range sections {
		fmt.Fprintf(&b, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:%d\r\na=rtpmap:111 opus/48000/2\r\n", i)
		for _, c := range candidates {
			b.WriteString("a=" + c + "\r\n")
		}
	}

	return b.String()
}

func TestGuardRemoteSDP(t *testing.T) {
	good := "candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host"
	bad := "candidate:2 1 udp 2122260223 169.254.169.254 54321 typ host"
	many := make([]string, 65)
	for i := range many {
		many[i] = fmt.Sprintf("candidate:%d 1 udp 1 192.168.1.%d 54321 typ host", i, i+1)
	}

	tests := []struct {
		name        string
		sdp         string
		hubSections int
		wantErr     bool
		wantKept    []string
		wantDropped []string
	}{
		{"browser offer", offerSDP(2, good), 0, false, []string{good}, nil},
		{"metadata candidate stripped", offerSDP(1, good, bad), 0, false, []string{good}, []string{bad}},
		{"six own sections", offerSDP(6), 0, false, nil, nil},
		{"seven own sections", offerSDP(7), 0, true, nil, nil},
		{"hundreds of sections", offerSDP(300), 0, true, nil, nil},
		{"sections the hub created", offerSDP(40), 36, false, nil, nil},
		{"too many candidates", offerSDP(1, many...), 0, true, nil, nil},
		{"not SDP", "hello", 0, true, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := guardSFU(false).guardRemoteSDP(tt.sdp, tt.hubSections)
			if tt.wantErr {
				if !errors.Is(err, ErrBadSignal) {
					t.Fatalf("got error %v, want ErrBadSignal", err)
				}

				return
			}
			if err != nil {
				t.Fatalf("guardRemoteSDP: %v", err)
			}
			for _, c := range tt.wantKept {
				if !strings.Contains(got, c) {
					t.Errorf("candidate %q missing from the output", c)
				}
			}
			for _, c := range tt.wantDropped {
				if strings.Contains(got, c) {
					t.Errorf("candidate %q kept, want it stripped", c)
				}
			}
		})
	}
}

func FuzzGuardRemoteSDP(f *testing.F) {
	f.Add(offerSDP(2, "candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host"))
	f.Add(offerSDP(1, "candidate:1 1 udp 1 169.254.169.254 80 typ host"))
	f.Add("v=0\r\n")
	s := guardSFU(true)
	f.Fuzz(func(t *testing.T, text string) {
		out, err := s.guardRemoteSDP(text, 0)
		if err != nil {
			return
		}
		// A second pass over the output keeps it unchanged: nothing
		// refused survives the first.
		again, err := s.guardRemoteSDP(out, 0)
		if err != nil {
			t.Fatalf("second pass rejected the first pass's output: %v", err)
		}
		if again != out {
			t.Fatalf("second pass changed the output")
		}
	})
}

func testLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
