package sfu

import "sync"

// outbox orders hub-to-client messages and delivers them from one
// goroutine. While the hub applies a local description it holds back the
// candidates that pion reports meanwhile, some of them synchronously
// inside SetLocalDescription, and releases them after the description's
// own message, so no candidate overtakes the offer or answer it belongs to.
type outbox struct {
	mu      sync.Mutex
	holding bool
	held    []Signal
	queue   []Signal
	wake    chan struct{}
}

func (o *outbox) push(sig Signal) {
	o.mu.Lock()
	if o.holding {
		o.held = append(o.held, sig)
	} else {
		o.queue = append(o.queue, sig)
	}
	o.mu.Unlock()
	o.notify()
}

func (o *outbox) hold() {
	o.mu.Lock()
	o.holding = true
	o.mu.Unlock()
}

// release queues desc, when not nil, then the held candidates.
func (o *outbox) release(desc *Signal) {
	o.mu.Lock()
	if desc != nil {
		o.queue = append(o.queue, *desc)
	}
	o.queue = append(o.queue, o.held...)
	o.held = nil
	o.holding = false
	o.mu.Unlock()
	o.notify()
}

func (o *outbox) notify() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

func (o *outbox) run(deliver func(Signal), done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-o.wake:
		}
		o.mu.Lock()
		batch := o.queue
		o.queue = nil
		o.mu.Unlock()
		for _, sig := range batch {
			deliver(sig)
		}
	}
}
