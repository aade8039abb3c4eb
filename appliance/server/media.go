package server

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/pion/webrtc/v4"

	"wenban/appliance/media/sfu"
	"wenban/appliance/media/turn"
	"wenban/appliance/media/whip"
)

// mediaPlane is the media section's part of the hub: the TURN server and
// the WHIP/WHEP endpoints on the calls' SFU.
type mediaPlane struct {
	turn       *turn.Server
	turnSecret []byte
	whip       *whip.Handler
}

// mediaSFUOptions returns the SFU options from the media section: ICE
// ports and addresses, and per-participant TURN credentials once the
// TURN server runs.
func (s *Server) mediaSFUOptions() sfu.Options {
	m := s.cfg.Media

	return sfu.Options{
		Logger: s.log.With("component", "sfu"),
		ICE: sfu.ICEConfig{
			UDPMuxPort: m.UDPPort,
			TCPMuxPort: m.TCPPort,
			PortMin:    m.PortMin,
			PortMax:    m.PortMax,
			ListenIPs:  s.cfg.ICEListenIPs(),
			NAT1To1IPs: m.NAT1To1IPs,
		},
		ClientICEServers: s.clientICEServers,
	}
}

// clientICEServers hands one participant TURN credentials over UDP and
// TCP, named after the participant so TURN logs show whose relay it is.
func (s *Server) clientICEServers(_ sfu.RoomID, id sfu.ParticipantID) []webrtc.ICEServer {
	t := s.cfg.Media.TURN
	if s.media.turn == nil {
		return nil
	}
	_, port, err := net.SplitHostPort(t.Listen)
	if err != nil {
		return nil
	}
	user, pass := turn.Credentials(s.media.turnSecret, string(id), t.CredentialTTL, time.Now())
	host := net.JoinHostPort(t.PublicIP, port)

	return []webrtc.ICEServer{{
		URLs:       []string{"turn:" + host + "?transport=udp", "turn:" + host + "?transport=tcp"},
		Username:   user,
		Credential: pass,
	}}
}

// openMedia starts the TURN server and the WHIP/WHEP endpoints. It runs
// after openCalls, because WHIP sessions join the calls' SFU.
func (s *Server) openMedia() error {
	m := s.cfg.Media
	if !m.Enabled || s.callSFU == nil {
		return nil
	}
	if m.TURN.Enabled {
		if err := s.startTURN(); err != nil {
			return err
		}
	}

	s.media.whip = whip.New(whip.Options{
		SFU:         s.callSFU,
		Tokens:      s.tokens,
		Logger:      s.log.With("component", "whip"),
		PlaySources: s.kioskPlaySources,
	})

	return nil
}

func (s *Server) startTURN() error {
	t := s.cfg.Media.TURN
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("creating TURN secret: %w", err)
	}
	host, _, _ := net.SplitHostPort(t.Listen)
	peers := append([]string{t.PublicIP}, s.cfg.ICEListenIPs()...)
	peers = append(peers, s.cfg.Media.NAT1To1IPs...)
	portMin, portMax := s.sfuPeerPorts()

	srv, err := turn.Start(turn.Config{
		Logger:       s.log.With("component", "turn"),
		UDPListen:    t.Listen,
		TCPListen:    t.Listen,
		PublicIP:     t.PublicIP,
		RelayIP:      host,
		RelayPortMin: t.RelayPortMin,
		RelayPortMax: t.RelayPortMax,
		Realm:        t.Realm,
		Secret:       secret,
		AllowedPeers: peers,
		PeerPortMin:  portMin,
		PeerPortMax:  portMax,
	})
	if err != nil {
		return err
	}
	s.media.turn = srv
	s.media.turnSecret = secret

	return nil
}

// sfuPeerPorts returns the SFU's ICE UDP ports, the only ports TURN
// relays need to reach. Zero for both, when the kernel picks the SFU's
// ports, leaves the TURN default of every unprivileged port.
func (s *Server) sfuPeerPorts() (uint16, uint16) {
	m := s.cfg.Media
	if m.UDPPort != 0 {
		return uint16(m.UDPPort), uint16(m.UDPPort)
	}

	return m.PortMin, m.PortMax
}

// mediaHandler serves /whip/ and /whep/, or nil when media is off.
func (s *Server) mediaHandler() http.Handler {
	if s.media.whip == nil {
		return nil
	}

	return s.media.whip
}

// closeMedia ends the WHIP/WHEP sessions and stops TURN.
func (s *Server) closeMedia() error {
	if s.media.whip != nil {
		s.media.whip.Close()
	}
	if s.media.turn == nil {
		return nil
	}

	return errors.Join(s.media.turn.Close())
}
