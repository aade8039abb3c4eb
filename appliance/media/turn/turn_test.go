package turn_test

import (
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"

	"wenban/appliance/media/rtcpeer"
	"wenban/appliance/media/sfu"
	"wenban/appliance/media/turn"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var secret = []byte("0123456789abcdef0123456789abcdef")

func logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

func startTURN(t *testing.T) *turn.Server {
	t.Helper()
	srv, err := turn.Start(turn.Config{
		Logger:    logger(),
		TCPListen: "127.0.0.1:0",
		UDPListen: "127.0.0.1:0",
		PublicIP:  "127.0.0.1",
		RelayIP:   "127.0.0.1",
		Secret:    secret,
	})
	if err != nil {
		t.Fatalf("turn.Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})

	return srv
}

// TestTCPOnlyClientReachesSFU runs a publisher whose only path is a TURN
// allocation over TCP, as when a firewall blocks UDP. A direct subscriber
// must receive the publisher's video.
func TestTCPOnlyClientReachesSFU(t *testing.T) {
	srv := startTURN(t)
	s, err := sfu.New(sfu.Options{Logger: logger(), ICE: sfu.ICEConfig{ListenIPs: []string{"127.0.0.1"}}})
	if err != nil {
		t.Fatalf("sfu.New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })

	user, pass := turn.Credentials(secret, "pub", time.Hour, time.Now())
	relayed := join(t, s, "pub", rtcpeer.Options{
		Video:     true,
		RelayOnly: true,
		ICEServers: []webrtc.ICEServer{{
			URLs:       []string{"turn:" + srv.TCPAddr().String() + "?transport=tcp"},
			Username:   user,
			Credential: pass,
		}},
	})
	direct := join(t, s, "sub", rtcpeer.Options{LoopbackOnly: true})

	if err := relayed.WaitConnected(15 * time.Second); err != nil {
		t.Fatalf("relayed client: %v", err)
	}
	pair, err := selectedPair(relayed.PeerConnection())
	if err != nil {
		t.Fatalf("selected pair: %v", err)
	}
	if pair.Local.Typ != webrtc.ICECandidateTypeRelay {
		t.Errorf("got local candidate type %s, want relay", pair.Local.Typ)
	}

	deadline := time.Now().Add(15 * time.Second)
	for direct.Total("video").Packets < 30 {
		if time.Now().After(deadline) {
			t.Fatalf("got %d video packets through TURN TCP, want at least 30", direct.Total("video").Packets)
		}
		<-time.After(20 * time.Millisecond)
	}
}

func join(t *testing.T, s *sfu.SFU, id sfu.ParticipantID, o rtcpeer.Options) *rtcpeer.Peer {
	t.Helper()
	var part *sfu.Participant
	o.Logger = logger()
	o.Send = func(sig sfu.Signal) error { return part.HandleSignal(sig) }
	peer, err := rtcpeer.New(o)
	if err != nil {
		t.Fatalf("rtcpeer.New: %v", err)
	}
	part, err = s.Join("room", id, sfu.JoinOptions{Signal: peer.Deliver, CanPublish: true, CanSubscribe: true})
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	if err := peer.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		_ = peer.Close()
		_ = part.Close()
	})

	return peer
}

func selectedPair(pc *webrtc.PeerConnection) (*webrtc.ICECandidatePair, error) {
	sctp := pc.SCTP()
	if sctp != nil {
		return sctp.Transport().ICETransport().GetSelectedCandidatePair()
	}
	for _, tr := range pc.GetTransceivers() {
		if s := tr.Sender(); s != nil && s.Transport() != nil {
			return s.Transport().ICETransport().GetSelectedCandidatePair()
		}
	}

	return nil, errors.New("peer connection has no transport yet")
}

func TestCredentialsChecked(t *testing.T) {
	srv := startTURN(t)
	valid, validPass := turn.Credentials(secret, "c1", time.Hour, time.Now())
	expired, expiredPass := turn.Credentials(secret, "c1", -time.Minute, time.Now())

	tests := []struct {
		name      string
		user      string
		pass      string
		wantRelay bool
	}{
		{"valid", valid, validPass, true},
		{"expired", expired, expiredPass, false},
		{"wrong password", valid, "AAAA", false},
		{"no expiry", "c1", validPass, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sdp := gatherRelay(t, webrtc.ICEServer{
				URLs:     []string{"turn:" + srv.TCPAddr().String() + "?transport=tcp"},
				Username: tt.user, Credential: tt.pass,
			})
			if got := strings.Contains(sdp, "typ relay"); got != tt.wantRelay {
				t.Errorf("got relay candidate %v, want %v", got, tt.wantRelay)
			}
		})
	}
}

// gatherRelay gathers the candidates of a relay-only peer connection and
// returns its local SDP.
func gatherRelay(t *testing.T, server webrtc.ICEServer) string {
	t.Helper()
	var se webrtc.SettingEngine
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{
		ICEServers:         []webrtc.ICEServer{server},
		ICETransportPolicy: webrtc.ICETransportPolicyRelay,
	})
	if err != nil {
		t.Fatalf("NewPeerConnection: %v", err)
	}
	defer pc.Close()
	if _, err := pc.CreateDataChannel("probe", nil); err != nil {
		t.Fatalf("CreateDataChannel: %v", err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatalf("CreateOffer: %v", err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatalf("SetLocalDescription: %v", err)
	}
	select {
	case <-gathered:
	case <-time.After(15 * time.Second):
		t.Fatalf("ICE gathering did not complete in 15s")
	}

	return pc.LocalDescription().SDP
}
