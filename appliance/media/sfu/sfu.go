package sfu

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"wenban/appliance/media/pionlog"
)

// SFU is the hub's forwarding unit. Its methods are safe for concurrent
// use.
type SFU struct {
	log  *slog.Logger
	opts Options
	api  *webrtc.API
	// closers are the shared ICE muxes, closed last by Close.
	closers []func() error
	// loopback is true when the hub gathers loopback candidates, so a
	// client's loopback candidates can reach it.
	loopback bool

	// mu guards rooms and every room's topology: participants, published
	// tracks and the subscriptions between them. The RTP hot path reads
	// only atomics and never takes it.
	mu     sync.Mutex
	rooms  map[RoomID]*room
	closed bool

	wg sync.WaitGroup
}

// New builds an SFU. It opens the UDP and TCP mux ports of opts.ICE when
// they are set, so it fails when one is taken.
func New(opts Options) (*SFU, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &SFU{
		log:   opts.Logger,
		opts:  opts,
		rooms: make(map[RoomID]*room),
	}

	settings, err := s.settingEngine()
	if err != nil {
		s.closeMuxes()

		return nil, err
	}

	media := &webrtc.MediaEngine{}
	if err := media.RegisterDefaultCodecs(); err != nil {
		s.closeMuxes()

		return nil, fmt.Errorf("registering codecs: %w", err)
	}
	registry := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(media, registry); err != nil {
		s.closeMuxes()

		return nil, fmt.Errorf("registering interceptors: %w", err)
	}

	s.api = webrtc.NewAPI(
		webrtc.WithMediaEngine(media),
		webrtc.WithInterceptorRegistry(registry),
		webrtc.WithSettingEngine(settings),
	)

	return s, nil
}

// settingEngine applies opts.ICE. mDNS stays off so the hub never sends
// multicast queries onto the LAN.
func (s *SFU) settingEngine() (webrtc.SettingEngine, error) {
	cfg := s.opts.ICE
	var se webrtc.SettingEngine
	se.LoggerFactory = pionlog.Factory{Log: s.log}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)

	networks := []webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6}
	if cfg.TCPMuxPort != 0 {
		networks = append(networks, webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6)
	}
	se.SetNetworkTypes(networks)

	s.loopback = true
	if len(cfg.ListenIPs) > 0 {
		allowed := make([]net.IP, 0, len(cfg.ListenIPs))
		for _, text := range cfg.ListenIPs {
			ip := net.ParseIP(text)
			if ip == nil {
				return se, fmt.Errorf("invalid ICE listen address %q", text)
			}
			allowed = append(allowed, ip)
		}
		s.loopback = slices.ContainsFunc(allowed, net.IP.IsLoopback)
		se.SetIPFilter(func(ip net.IP) bool {
			return slices.ContainsFunc(allowed, ip.Equal)
		})
	}

	if len(cfg.NAT1To1IPs) > 0 {
		rule := webrtc.ICEAddressRewriteRule{
			External:        cfg.NAT1To1IPs,
			AsCandidateType: webrtc.ICECandidateTypeHost,
		}
		if err := se.SetICEAddressRewriteRules(rule); err != nil {
			return se, fmt.Errorf("setting NAT 1:1 addresses %v: %w", cfg.NAT1To1IPs, err)
		}
	}

	if err := s.openMuxes(&se); err != nil {
		return se, err
	}

	return se, nil
}

// openMuxes opens the single UDP port and the ICE-TCP port of opts.ICE,
// or sets the ephemeral port range when there is no UDP mux port.
func (s *SFU) openMuxes(se *webrtc.SettingEngine) error {
	cfg := s.opts.ICE
	host := ""
	if len(cfg.ListenIPs) == 1 {
		host = cfg.ListenIPs[0]
	}

	if cfg.UDPMuxPort != 0 {
		addr := net.JoinHostPort(host, fmt.Sprint(cfg.UDPMuxPort))
		conn, err := net.ListenPacket("udp", addr)
		if err != nil {
			return fmt.Errorf("opening ICE UDP port %s: %w", addr, err)
		}
		mux := webrtc.NewICEUDPMux(se.LoggerFactory.NewLogger("udpmux"), conn)
		se.SetICEUDPMux(mux)
		s.closers = append(s.closers, mux.Close)
	} else if cfg.PortMin != 0 || cfg.PortMax != 0 {
		if err := se.SetEphemeralUDPPortRange(cfg.PortMin, cfg.PortMax); err != nil {
			return fmt.Errorf("setting ICE UDP port range %d-%d: %w", cfg.PortMin, cfg.PortMax, err)
		}
	}

	if cfg.TCPMuxPort != 0 {
		addr := net.JoinHostPort(host, fmt.Sprint(cfg.TCPMuxPort))
		listener, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("opening ICE TCP port %s: %w", addr, err)
		}
		mux := webrtc.NewICETCPMux(se.LoggerFactory.NewLogger("tcpmux"), listener, 8)
		se.SetICETCPMux(mux)
		s.closers = append(s.closers, mux.Close)
	}

	return nil
}

func (s *SFU) closeMuxes() error {
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c())
	}
	s.closers = nil

	return errors.Join(errs...)
}

// Join adds a participant to a room, creating the room on first use. A
// participant with the same id already in the room is closed first, so a
// reloaded page replaces its ghost at once.
func (s *SFU) Join(roomID RoomID, id ParticipantID, jo JoinOptions) (*Participant, error) {
	pc, err := s.api.NewPeerConnection(webrtc.Configuration{
		ICEServers: s.opts.ICE.ICEServers,
	})
	if err != nil {
		return nil, fmt.Errorf("creating peer connection for %s in room %s: %w", id, roomID, err)
	}
	p := newParticipant(s, id, jo, pc)

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = pc.Close()

		return nil, ErrClosed
	}
	r := s.roomLocked(roomID)
	ghost := r.participants[id]
	if ghost != nil {
		s.removeLocked(ghost)
	}
	r.participants[id] = p
	p.room = r
	s.subscribeLocked(p)
	s.mu.Unlock()

	if ghost != nil {
		s.log.Info("ghost participant evicted", "room", roomID, "participant", id)
		ghost.closePeer()
	}
	p.start(roomID)
	s.log.Debug("participant joined", "room", roomID, "participant", id,
		"publish", jo.CanPublish, "subscribe", jo.CanSubscribe)

	return p, nil
}

func (s *SFU) roomLocked(id RoomID) *room {
	r := s.rooms[id]
	if r == nil {
		r = newRoom(id)
		s.rooms[id] = r
	}

	return r
}

// CloseRoom closes every participant of a room.
func (s *SFU) CloseRoom(id RoomID) error {
	s.mu.Lock()
	r := s.rooms[id]
	if r == nil {
		s.mu.Unlock()

		return fmt.Errorf("closing room %s: %w", id, ErrRoomNotFound)
	}
	members := r.members()
	for _, p := range members {
		s.removeLocked(p)
	}
	s.mu.Unlock()

	for _, p := range members {
		p.closePeer()
	}

	return nil
}

// Close closes every peer connection, waits for the forwarding
// goroutines and then closes the ICE ports. Further calls return nil.
func (s *SFU) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()

		return nil
	}
	s.closed = true
	var members []*Participant
	for _, r := range s.rooms {
		for _, p := range r.members() {
			s.removeLocked(p)
			members = append(members, p)
		}
	}
	s.mu.Unlock()

	for _, p := range members {
		p.closePeer()
	}
	s.wg.Wait()

	return s.closeMuxes()
}
