package realtime

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Connection limits. A page that falls this far behind is disconnected and
// resyncs when it reconnects, rather than holding hub memory.
const (
	sendBuffer   = 256
	readLimit    = 16 << 10
	writeTimeout = 10 * time.Second
	pingInterval = 25 * time.Second
)

// conn is one open page. Frames are queued and written by one goroutine,
// so a slow page delays only its own frames. When its queue is full, a
// live frame closes the page, while backlog frames wait for room.
type conn struct {
	ws   *websocket.Conn
	out  chan []byte
	log  *slog.Logger
	once sync.Once
	done chan struct{}
	// opened orders a conversation's pages, so the oldest can be closed
	// when one citizen opens too many.
	opened uint64
	// recheck asks a seat page's session watcher to check the login now,
	// rather than at its next tick.
	recheck chan struct{}
}

var connSeq atomic.Uint64

func newConn(ws *websocket.Conn, log *slog.Logger) *conn {
	ws.SetReadLimit(readLimit)
	return &conn{
		ws:      ws,
		out:     make(chan []byte, sendBuffer),
		log:     log,
		done:    make(chan struct{}),
		opened:  connSeq.Add(1),
		recheck: make(chan struct{}, 1),
	}
}

// send queues a frame; it drops the connection when the queue is full.
func (c *conn) send(f outFrame) {
	raw, err := json.Marshal(f)
	if err != nil {
		c.log.Error("encoding frame", "type", f.Type, "err", err)
		return
	}
	select {
	case <-c.done:
	case c.out <- raw:
	default:
		c.log.Warn("page too slow, closing its connection", "queued", len(c.out))
		c.close(websocket.StatusPolicyViolation, "too slow")
	}
}

// sendWait queues a frame, waiting for room. The backlog of a reconnecting
// page can exceed the queue, and dropping the page for it would make it
// reconnect forever.
func (c *conn) sendWait(ctx context.Context, f outFrame) {
	raw, err := json.Marshal(f)
	if err != nil {
		c.log.Error("encoding frame", "type", f.Type, "err", err)
		return
	}
	select {
	case <-ctx.Done():
	case <-c.done:
	case c.out <- raw:
	}
}

func (c *conn) close(code websocket.StatusCode, reason string) {
	c.once.Do(func() {
		close(c.done)
		go c.ws.Close(code, reason)
	})
}

// writeLoop writes queued frames and keeps the connection alive with pings
// until ctx ends or the connection closes.
func (c *conn) writeLoop(ctx context.Context) {
	ticker := time.NewTicker(pingInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.done:
			return
		case raw := <-c.out:
			wctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := c.ws.Write(wctx, websocket.MessageText, raw)
			cancel()
			if err != nil {
				c.close(websocket.StatusGoingAway, "write failed")
				return
			}
		case <-ticker.C:
			pctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := c.ws.Ping(pctx)
			cancel()
			if err != nil {
				c.close(websocket.StatusGoingAway, "ping failed")
				return
			}
		}
	}
}

// read returns the next command frame.
func (c *conn) read(ctx context.Context) (inFrame, error) {
	var f inFrame
	typ, raw, err := c.ws.Read(ctx)
	if err != nil {
		return f, err
	}
	if typ != websocket.MessageText {
		return f, errBinaryFrame
	}
	// encoding/json would turn invalid bytes into U+FFFD silently.
	if !utf8.Valid(raw) {
		return f, errBadFrame
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return f, errBadFrame
	}
	return f, nil
}
