package sfu_test

import (
	"net"
	"testing"

	"github.com/pion/webrtc/v4"

	"wenban/appliance/media/rtcpeer"
	"wenban/appliance/media/sfu"
)

// freePort returns a port that was free a moment ago on 127.0.0.1.
func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		conn, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("probing UDP port: %v", err)
		}
		defer conn.Close()

		return conn.LocalAddr().(*net.UDPAddr).Port
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("probing TCP port: %v", err)
	}
	defer ln.Close()

	return ln.Addr().(*net.TCPAddr).Port
}

func TestMuxPortsCarryMedia(t *testing.T) {
	tests := []struct {
		name    string
		ice     func(t *testing.T) sfu.ICEConfig
		tcpOnly bool
	}{
		{"single UDP port", func(t *testing.T) sfu.ICEConfig {
			return sfu.ICEConfig{ListenIPs: []string{"127.0.0.1"}, UDPMuxPort: freePort(t, "udp")}
		}, false},
		{"ICE over TCP", func(t *testing.T) sfu.ICEConfig {
			return sfu.ICEConfig{ListenIPs: []string{"127.0.0.1"}, TCPMuxPort: freePort(t, "tcp")}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sfu.New(sfu.Options{Logger: testLogger(), ICE: tt.ice(t)})
			if err != nil {
				t.Fatalf("sfu.New: %v", err)
			}
			t.Cleanup(func() { _ = s.Close() })

			sub := joinClient(t, s, "r1", "sub", clientOptions{playOnly: true})
			pub := joinPeer(t, s, "r1", "pub", rtcpeer.Options{Video: true, LoopbackOnly: true, TCPOnly: tt.tcpOnly})
			if err := pub.WaitConnected(mediaTimeout); err != nil {
				t.Fatalf("publisher: %v", err)
			}
			waitFor(t, mediaTimeout, "video pub->sub", atLeast(sub, "pub", "video", 30))
			want := webrtc.ICEProtocolUDP
			if tt.tcpOnly {
				want = webrtc.ICEProtocolTCP
			}
			if got := selectedProtocol(t, pub.PeerConnection()); got != want {
				t.Errorf("got publisher ICE protocol %s, want %s", got, want)
			}
		})
	}
}

// joinPeer joins a client built from explicit rtcpeer options.
func joinPeer(t *testing.T, s *sfu.SFU, room sfu.RoomID, id sfu.ParticipantID, o rtcpeer.Options) *rtcpeer.Peer {
	t.Helper()
	var part *sfu.Participant
	o.Logger = testLogger()
	o.Send = func(sig sfu.Signal) error { return part.HandleSignal(sig) }
	peer, err := rtcpeer.New(o)
	if err != nil {
		t.Fatalf("rtcpeer.New(%s): %v", id, err)
	}
	part, err = s.Join(room, id, sfu.JoinOptions{Signal: peer.Deliver, CanPublish: true, CanSubscribe: true})
	if err != nil {
		t.Fatalf("Join(%s): %v", id, err)
	}
	if err := peer.Start(); err != nil {
		t.Fatalf("Start(%s): %v", id, err)
	}
	t.Cleanup(func() {
		_ = peer.Close()
		_ = part.Close()
	})

	return peer
}

// selectedProtocol returns the transport protocol of the peer
// connection's selected ICE candidate pair.
func selectedProtocol(t *testing.T, pc *webrtc.PeerConnection) webrtc.ICEProtocol {
	t.Helper()
	for _, tr := range pc.GetTransceivers() {
		sender := tr.Sender()
		if sender == nil || sender.Transport() == nil {
			continue
		}
		pair, err := sender.Transport().ICETransport().GetSelectedCandidatePair()
		if err != nil || pair == nil {
			t.Fatalf("selected candidate pair: %v", err)
		}

		return pair.Local.Protocol
	}
	t.Fatalf("peer connection has no transport")

	return webrtc.ICEProtocolUnknown
}
