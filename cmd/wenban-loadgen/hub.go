package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"wenban/appliance/media/sfu"
)

// serveHub runs the SFU behind a minimal WebSocket signalling endpoint on
// 127.0.0.1, in its own process so the CPU it uses can be measured apart
// from the clients'. It prints its address on the first line of stdout.
func serveHub(ctx context.Context, log *slog.Logger) error {
	s, err := sfu.New(sfu.Options{Logger: log, ICE: sfu.ICEConfig{ListenIPs: []string{"127.0.0.1"}}})
	if err != nil {
		return err
	}
	defer s.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("opening signalling port: %w", err)
	}
	fmt.Fprintln(os.Stdout, ln.Addr().String())

	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serveParticipant(w, r, s, log)
	})}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving signalling: %w", err)
	}

	return nil
}

// serveParticipant joins one WebSocket client to its room and relays
// signalling messages until the socket closes.
func serveParticipant(w http.ResponseWriter, r *http.Request, s *sfu.SFU, log *slog.Logger) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := r.Context()
	room := sfu.RoomID(r.URL.Query().Get("room"))
	id := sfu.ParticipantID(r.URL.Query().Get("id"))

	out := make(chan sfu.Signal, 256)
	part, err := s.Join(room, id, sfu.JoinOptions{
		Signal: func(sig sfu.Signal) {
			select {
			case out <- sig:
			default:
				log.Warn("signal queue full, message dropped", "participant", id)
			}
		},
		CanPublish:   true,
		CanSubscribe: true,
	})
	if err != nil {
		log.Warn("join failed", "participant", id, "error", err)

		return
	}
	defer part.Close()

	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case sig := <-out:
				if wsjson.Write(ctx, c, sig) != nil {
					return
				}
			}
		}
	}()
	for {
		var sig sfu.Signal
		if err := wsjson.Read(ctx, c, &sig); err != nil {
			return
		}
		if err := part.HandleSignal(sig); err != nil {
			log.Debug("client signal failed", "participant", id, "error", err)
		}
	}
}
