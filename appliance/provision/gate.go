package provision

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"time"
)

// Units that must be active for a kiosk or seat boot to pass: the kiosk
// process and its browser, or the seat browser.
var (
	KioskUnits = []string{"wenban-kiosk.service", "wenban-kiosk-browser.service"}
	SeatUnits  = []string{"wenban-seat-browser.service"}
)

// Gate decides whether this boot works well enough to be blessed.
type Gate struct {
	// Dir is the provisioning folder on the data partition.
	Dir string
	// Timeout bounds the whole check; the services may still be starting.
	Timeout time.Duration
	// Poll is the pause between tries. Zero means one second.
	Poll time.Duration
	// Client fetches /healthz; nil means a client with a 5 s timeout.
	Client *http.Client
	// UnitActive reports whether a systemd unit is active; nil runs
	// `systemctl is-active`.
	UnitActive func(ctx context.Context, unit string) bool
	Log        *slog.Logger
}

// ErrUnhealthy means the role's service did not become healthy in time.
var ErrUnhealthy = errors.New("provision: boot is not healthy")

// Check returns nil once the role's service works. On a hub, /healthz
// must return 200, which it does only with the store and indexes open. On
// a kiosk, the kiosk process and browser units must be active, and on a
// seat the seat browser unit. A terminal not provisioned yet only needs
// its data partition, which holds Dir, so a fresh terminal is blessed and
// can be provisioned.
func (g Gate) Check(ctx context.Context) error {
	if _, err := os.Stat(g.Dir); err != nil {
		return fmt.Errorf("%w: provisioning folder %s: %w", ErrUnhealthy, g.Dir, err)
	}
	s, err := Read(g.Dir)
	if errors.Is(err, os.ErrNotExist) {
		g.Log.Info("health gate passed on a terminal not provisioned yet")
		return nil
	}
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	var probe func(context.Context) error
	var checked string
	switch s.Role {
	case RoleHub:
		probe, checked = g.hubProbe(s.Listen), "hub /healthz"
	case RoleKiosk:
		probe, checked = g.unitsProbe(KioskUnits), "kiosk units"
	default:
		probe, checked = g.unitsProbe(SeatUnits), "seat browser unit"
	}

	var last error
	for {
		if last = probe(ctx); last == nil {
			g.Log.Info("health gate passed", "role", s.Role)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %s after %s: %w", ErrUnhealthy, checked, g.Timeout, last)
		case <-time.After(g.poll()):
		}
	}
}

func (g Gate) poll() time.Duration {
	if g.Poll > 0 {
		return g.Poll
	}
	return time.Second
}

func (g Gate) hubProbe(listen string) func(context.Context) error {
	client := g.Client
	if client == nil {
		client = &http.Client{
			Timeout: 5 * time.Second,
			// The probe only asks whether the local hub is up, over loopback,
			// so it need not trust the hub's own CA to learn that.
			Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		}
	}
	addr := loopbackFor(listen)

	return func(ctx context.Context) error {
		err := getHealthz(ctx, client, "http://"+addr+"/healthz")
		if errors.Is(err, errTLSHub) {
			err = getHealthz(ctx, client, "https://"+addr+"/healthz")
		}
		return err
	}
}

// errTLSHub marks a plain request answered by a hub that serves HTTPS.
var errTLSHub = errors.New("hub serves HTTPS")

// getHealthz fetches url and wants 200. Go's HTTPS server answers a plain
// HTTP request with 400, which becomes errTLSHub so the probe retries.
func getHealthz(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode == http.StatusBadRequest && resp.Request.URL.Scheme == "http":
		return fmt.Errorf("GET %s: status 400: %w", url, errTLSHub)
	default:
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
}

// loopbackFor turns a listen address into one to connect to: a wildcard
// host becomes 127.0.0.1.
func loopbackFor(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func (g Gate) unitsProbe(units []string) func(context.Context) error {
	active := g.UnitActive
	if active == nil {
		active = systemctlActive
	}
	return func(ctx context.Context) error {
		for _, unit := range units {
			if !active(ctx, unit) {
				return fmt.Errorf("%s is not active", unit)
			}
		}
		return nil
	}
}

func systemctlActive(ctx context.Context, unit string) bool {
	return exec.CommandContext(ctx, "systemctl", "is-active", "--quiet", unit).Run() == nil
}
