package update

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"wenban/firmware/semver"
)

// MaxBundleSize bounds a bundle downloaded by Pull. A root slot is
// 1.5 GiB on the image, so no valid bundle is larger than 2 GiB.
const MaxBundleSize = 2 << 30

// ErrNoUpdate means the hub has no bundle newer than the running version.
var ErrNoUpdate = errors.New("update: hub has no newer bundle")

// BundlePath returns the hub's URL path of the newest bundle for a
// hardware class.
func BundlePath(hardwareClass string) string {
	return "/firmware/" + url.PathEscape(hardwareClass) + "/latest"
}

// Pull downloads the hub's newest bundle for this terminal's hardware
// class into dir and returns its path. The caller installs it with Apply,
// which verifies the signature, so neither the hub nor the network is
// trusted with the content. client should trust only the enrolled hub
// certificate. Pull returns ErrNoUpdate when the hub responds 204 or 404.
func Pull(ctx context.Context, t Terminal, client *http.Client, hubURL, dir string, log *slog.Logger) (string, error) {
	info, err := t.ReadInfo()
	if err != nil {
		return "", err
	}
	base, err := url.Parse(hubURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return "", fmt.Errorf("%w: hub address %q", ErrInvalidLayout, hubURL)
	}
	target := base.JoinPath(BundlePath(info.HardwareClass))
	target.RawQuery = url.Values{"current": {info.Version.String()}}.Encode()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("fetching %s: %w", target.Redacted(), err)
	}
	defer resp.Body.Close()

	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNoContent, http.StatusNotFound:
		return "", fmt.Errorf("%w for %s %s", ErrNoUpdate, info.HardwareClass, info.Version)
	default:
		return "", fmt.Errorf("fetching %s: status %d", target.Redacted(), resp.StatusCode)
	}
	path, n, err := saveBundle(resp.Body, dir)
	if err != nil {
		return "", err
	}
	log.Info("update bundle downloaded", "hub", base.Host, "bytes", n)
	return path, nil
}

func saveBundle(body io.Reader, dir string) (string, int64, error) {
	tmp, err := os.CreateTemp(dir, ".pulled-*.tar")
	if err != nil {
		return "", 0, fmt.Errorf("creating download file: %w", err)
	}
	n, err := io.Copy(tmp, io.LimitReader(body, MaxBundleSize+1))
	if err == nil && n > MaxBundleSize {
		err = fmt.Errorf("bundle exceeds %d bytes", MaxBundleSize)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", 0, fmt.Errorf("downloading bundle: %w", err)
	}
	final := filepath.Join(dir, "pulled.tar")
	if err := os.Rename(tmp.Name(), final); err != nil {
		os.Remove(tmp.Name())
		return "", 0, fmt.Errorf("saving bundle: %w", err)
	}
	return final, n, nil
}

// Handler serves the newest bundle in dir for GET /firmware/{class}/latest:
// dir/CLASS/*.tar, newest by manifest version. It responds 204 when the
// newest is not newer than the "current" query value, so terminals poll
// cheaply. The hub does not check signatures, because every terminal does.
func Handler(dir string, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		class := r.PathValue("class")
		if !validClass(class) {
			http.Error(w, "invalid hardware class", http.StatusBadRequest)
			return
		}
		path, version, err := newestBundle(filepath.Join(dir, class))
		if errors.Is(err, os.ErrNotExist) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			log.Error("listing update bundles failed", "hardware_class", class, "error", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if current, err := semver.Parse(r.URL.Query().Get("current")); err == nil && !current.Less(version) {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/x-tar")
		http.ServeFile(w, r, path)
	})
}
