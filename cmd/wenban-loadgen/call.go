package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"wenban/appliance/media/rtcpeer"
	"wenban/appliance/media/sfu"
)

// loadCall is one 1:1 call: two clients in one room.
type loadCall struct {
	peers    [2]*rtcpeer.Peer
	conns    [2]*websocket.Conn
	joinedAt time.Time
	cancel   context.CancelFunc
}

func startCall(ctx context.Context, addr string, n, bitrate int, log *slog.Logger) (*loadCall, error) {
	ctx, cancel := context.WithCancel(ctx)
	c := &loadCall{cancel: cancel}
	room := fmt.Sprintf("call-%d", n)
	for i := range c.peers {
		id := fmt.Sprintf("%s-%c", room, 'a'+i)
		if err := c.join(ctx, i, addr, room, id, bitrate, log); err != nil {
			c.close()

			return nil, err
		}
	}
	c.joinedAt = time.Now()

	return c, nil
}

func (c *loadCall) join(ctx context.Context, i int, addr, room, id string, bitrate int, log *slog.Logger) error {
	conn, _, err := websocket.Dial(ctx, "ws://"+addr+"/join?room="+room+"&id="+id, nil)
	if err != nil {
		return fmt.Errorf("joining %s: %w", id, err)
	}
	conn.SetReadLimit(1 << 20)
	c.conns[i] = conn

	peer, err := rtcpeer.New(rtcpeer.Options{
		Logger:       log,
		Send:         func(sig sfu.Signal) error { return wsjson.Write(ctx, conn, sig) },
		Audio:        true,
		Video:        true,
		VideoBitrate: bitrate,
		LoopbackOnly: true,
	})
	if err != nil {
		return err
	}
	c.peers[i] = peer
	if err := peer.Start(); err != nil {
		return err
	}
	go func() {
		for {
			var sig sfu.Signal
			if err := wsjson.Read(ctx, conn, &sig); err != nil {
				return
			}
			peer.Deliver(sig)
		}
	}()

	return nil
}

func (c *loadCall) close() {
	c.cancel()
	for i := range c.peers {
		if c.peers[i] != nil {
			_ = c.peers[i].Close()
		}
		if c.conns[i] != nil {
			_ = c.conns[i].CloseNow()
		}
	}
}

// firstVideo returns the time from the call's second join to the first
// video packet either client received, or false before one arrived.
func (c *loadCall) firstVideo() (time.Duration, bool) {
	var first time.Time
	for _, p := range c.peers {
		at := p.Total("video").FirstAt
		if !at.IsZero() && (first.IsZero() || at.Before(first)) {
			first = at
		}
	}
	if first.IsZero() {
		return 0, false
	}

	return first.Sub(c.joinedAt), true
}

type videoTotals struct{ packets, expected, bytes uint64 }

func totals(calls []*loadCall) videoTotals {
	var t videoTotals
	for _, c := range calls {
		for _, p := range c.peers {
			v := p.Total("video")
			t.packets += v.Packets
			t.expected += v.Expected
			t.bytes += v.Bytes
		}
	}

	return t
}

type stepResult struct {
	sfuCPU, machineCPU float64
	loss               float64
	mbps               float64
	firstP50, firstP95 time.Duration
}

// measure waits out the warm-up, then samples CPU and the video counters
// over one window.
func measure(ctx context.Context, pid, cores int, calls []*loadCall, o options) (stepResult, error) {
	var r stepResult
	if err := wait(ctx, o.warmup); err != nil {
		return r, err
	}
	before, err := sampleCPU(pid)
	if err != nil {
		return r, err
	}
	startTotals := totals(calls)
	if err := wait(ctx, o.window); err != nil {
		return r, err
	}
	after, err := sampleCPU(pid)
	if err != nil {
		return r, err
	}
	endTotals := totals(calls)

	r.sfuCPU, r.machineCPU = usage(before, after, cores)
	expected := endTotals.expected - startTotals.expected
	got := endTotals.packets - startTotals.packets
	if expected > 0 && expected > got {
		r.loss = float64(expected-got) / float64(expected) * 100
	}
	r.mbps = float64(endTotals.bytes-startTotals.bytes) * 8 / o.window.Seconds() / 1e6

	var firsts []time.Duration
	for _, c := range calls {
		if d, ok := c.firstVideo(); ok {
			firsts = append(firsts, d)
		} else {
			// A call that never got video counts as lost entirely.
			r.loss = 100
		}
	}
	slices.Sort(firsts)
	if len(firsts) > 0 {
		r.firstP50 = firsts[len(firsts)/2]
		r.firstP95 = firsts[(len(firsts)*95)/100]
	}

	return r, nil
}

func wait(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
