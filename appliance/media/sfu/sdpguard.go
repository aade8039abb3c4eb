package sfu

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// Limits on what a client's SDP and trickled candidates may ask of the
// hub. A browser sends one to three sections of its own (microphone,
// camera, screen) and fewer than 20 candidates per ICE generation.
const (
	// MaxClientSections bounds the audio and video sections a client
	// adds, on top of the ones the hub created.
	MaxClientSections = 6
	// maxPublishedTracks bounds the tracks one participant publishes.
	maxPublishedTracks = 6
	// MaxSDPCandidates bounds the candidates inside one description.
	MaxSDPCandidates = 64
	// maxTrickledCandidates bounds the candidates one participant
	// trickles over its lifetime, ICE restarts included.
	maxTrickledCandidates = 512
)

// candidateAllowed reports whether the hub may send ICE connectivity
// checks to a remote candidate. It refuses host names, which the hub
// would resolve with DNS, unspecified, multicast, broadcast and
// link-local addresses (the 169.254.169.254 metadata service among
// them), privileged UDP ports, and loopback unless the hub itself
// gathers on loopback.
func (s *SFU) candidateAllowed(candidate string) bool {
	fields := strings.Fields(strings.TrimPrefix(candidate, "candidate:"))
	if len(fields) < 8 || fields[6] != "typ" {
		return false
	}
	ip := net.ParseIP(fields[4])
	port, err := strconv.Atoi(fields[5])
	if ip == nil || err != nil || port < 0 || port > 65535 {
		return false
	}
	switch {
	case ip.IsUnspecified(), ip.IsMulticast(), ip.Equal(net.IPv4bcast):
		return false
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return false
	case ip.IsLoopback() && !s.loopback:
		return false
	}
	if strings.EqualFold(fields[2], "udp") && port < 1024 {
		return false
	}

	return true
}

// guardRemoteSDP checks a client's offer or answer against the limits
// above and strips the candidates that candidateAllowed refuses.
// hubSections is the number of audio and video sections the hub created
// on this peer connection, which a client's description repeats.
func (s *SFU) guardRemoteSDP(text string, hubSections int) (string, error) {
	var desc sdp.SessionDescription
	if err := desc.UnmarshalString(text); err != nil {
		return "", fmt.Errorf("parsing SDP: %w", ErrBadSignal)
	}

	sections, candidates, dropped := 0, 0, 0
	for _, media := range desc.MediaDescriptions {
		if kind := media.MediaName.Media; kind == "audio" || kind == "video" {
			sections++
		}
		kept := media.Attributes[:0]
		for _, attr := range media.Attributes {
			if attr.Key != "candidate" {
				kept = append(kept, attr)

				continue
			}
			candidates++
			if s.candidateAllowed(attr.Value) {
				kept = append(kept, attr)
			} else {
				dropped++
			}
		}
		media.Attributes = kept
	}

	if own := sections - hubSections; own > MaxClientSections {
		return "", fmt.Errorf("SDP adds %d audio/video sections to the hub's %d, want at most %d: %w: %w",
			own, hubSections, MaxClientSections, ErrLimit, ErrBadSignal)
	}
	if candidates > MaxSDPCandidates {
		return "", fmt.Errorf("SDP has %d candidates, want at most %d: %w: %w",
			candidates, MaxSDPCandidates, ErrLimit, ErrBadSignal)
	}
	if dropped == 0 {
		return text, nil
	}
	s.log.Debug("remote candidates rejected", "count", dropped)
	out, err := desc.Marshal()
	if err != nil {
		return "", fmt.Errorf("writing SDP: %w", err)
	}

	return string(out), nil
}
