package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
)

// notifier speaks the sd_notify protocol. Outside systemd, with no
// NOTIFY_SOCKET, every call is a no-op.
type notifier struct {
	log *slog.Logger
}

func (n notifier) notify(state string) {
	sent, err := daemon.SdNotify(false, state)
	switch {
	case err != nil:
		n.log.Warn("notifying systemd", "state", state, "err", err)
	case sent:
		n.log.Debug("notified systemd", "state", state)
	}
}

func (n notifier) ready()    { n.notify(daemon.SdNotifyReady) }
func (n notifier) stopping() { n.notify(daemon.SdNotifyStopping) }

// watchdog pings systemd at half the WATCHDOG_USEC interval while health
// reports no error, so a hub whose store or indexes fail is restarted by
// systemd rather than kept alive by a timer. It returns when ctx ends.
func (n notifier) watchdog(ctx context.Context, health func() error) {
	interval, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		n.log.Warn("reading systemd watchdog settings", "err", err)
		return
	}
	if interval == 0 {
		return
	}
	n.log.Info("systemd watchdog enabled", "interval", interval)

	ticker := time.NewTicker(interval / 2)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if err := health(); err != nil {
				n.log.Error("health check failed, withholding watchdog ping", "err", err)
				continue
			}
			n.notify(daemon.SdNotifyWatchdog)
		}
	}
}
