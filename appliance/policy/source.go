package policy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Source serves a manifest and the documents it lists.
type Source interface {
	// String describes the source for reports and logs.
	String() string
	// Manifest returns the manifest's bytes, at most MaxManifestBytes.
	Manifest(ctx context.Context) ([]byte, error)
	// Open opens a document by its manifest path, which ParseManifest has
	// checked. Reading more than limit bytes fails with ErrTooLarge.
	Open(ctx context.Context, path string, limit int64) (io.ReadCloser, error)
	Close() error
}

// ErrTooLarge is returned when a manifest or document exceeds its limit.
var ErrTooLarge = errors.New("file exceeds its size limit")

// StarterSourceName describes the embedded starter library in reports.
const StarterSourceName = "内置起始库"

// HTTPOptions configures downloads from an HTTP(S) source. Zero fields
// take the defaults given.
type HTTPOptions struct {
	// Timeout bounds each request, from dialling to the end of the body.
	// Zero means 60s.
	Timeout time.Duration
	// Transport replaces the default transport, for example with one that
	// trusts a private certificate authority. Nil means a direct
	// connection (no proxy) with 10s dial and TLS handshake timeouts.
	Transport http.RoundTripper
}

// NewSource opens the source that spec names: "" for the embedded starter
// library, an absolute folder path, or the http:// or https:// URL of a
// manifest.
func NewSource(spec string, opts HTTPOptions) (Source, error) {
	switch {
	case spec == "":
		return StarterSource(), nil
	case strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://"):
		return newHTTPSource(spec, opts)
	case filepath.IsAbs(spec):
		return newFolderSource(spec)
	}
	return nil, fmt.Errorf("policy source %q is neither an absolute folder path nor an http(s) URL", spec)
}

// CheckSource checks that spec names a source NewSource can open. It does
// not open it, because the folder or server may be unavailable until a run.
func CheckSource(spec string) error {
	switch {
	case spec == "", filepath.IsAbs(spec):
		return nil
	case strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://"):
		_, err := newHTTPSource(spec, HTTPOptions{})
		return err
	}
	return fmt.Errorf("policy source %q is neither an absolute folder path nor an http(s) URL", spec)
}

// fsSource reads a folder: the embedded starter library or a local folder
// opened through os.Root, which rejects paths and symbolic links that
// leave the folder.
type fsSource struct {
	name  string
	fsys  fs.FS
	close func() error
}

// StarterSource returns the embedded starter library as a source.
func StarterSource() Source {
	sub, err := fs.Sub(starterFiles, "starter")
	if err != nil {
		panic(fmt.Sprintf("embedded starter library: %v", err)) // fixed at build time
	}
	return &fsSource{name: StarterSourceName, fsys: sub, close: func() error { return nil }}
}

func newFolderSource(dir string) (Source, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening policy source folder %s: %w", dir, err)
	}
	return &fsSource{name: dir, fsys: root.FS(), close: root.Close}, nil
}

func (s *fsSource) String() string { return s.name }

func (s *fsSource) Manifest(ctx context.Context) ([]byte, error) {
	rc, err := s.Open(ctx, ManifestName, MaxManifestBytes)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func (s *fsSource) Open(_ context.Context, name string, limit int64) (io.ReadCloser, error) {
	// Opening a named pipe blocks until a writer appears and ignores the
	// context, so the type is checked before the open as well.
	// NOTE: a file swapped for a pipe between the two calls still blocks.
	if info, err := fs.Stat(s.fsys, name); err == nil && !info.Mode().IsRegular() {
		return nil, notRegular(name)
	}
	f, err := s.fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("在 %s 中打开 %s 失败（文件不存在、无权读取或链接指向更新源之外）：%w", s.name, name, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading %s in %s: %w", name, s.name, err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, notRegular(name)
	}
	if info.Size() > limit {
		f.Close()
		return nil, fmt.Errorf("%s is %d bytes, limit %d: %w", name, info.Size(), limit, ErrTooLarge)
	}
	return limitedReader{ReadCloser: f, remaining: limit}.wrap(), nil
}

func (s *fsSource) Close() error { return s.close() }

func notRegular(name string) error {
	return fmt.Errorf("%s 不是普通文件（可能是目录、管道或设备文件），清单只能指向普通文件", name)
}

// httpSource downloads from the folder of a manifest URL.
type httpSource struct {
	manifest *url.URL
	client   *http.Client
}

// maxRedirects bounds the redirects of one download; each must stay on
// the manifest's scheme and host.
const maxRedirects = 3

func newHTTPSource(raw string, opts HTTPOptions) (Source, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing policy source URL: %w", err)
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, fmt.Errorf("policy source URL %s must name a host and have no user or fragment", u.Redacted())
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	transport := opts.Transport
	if transport == nil {
		dialer := &net.Dialer{Timeout: 10 * time.Second}
		transport = &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: opts.Timeout,
			MaxIdleConns:          2,
			IdleConnTimeout:       30 * time.Second,
		}
	}
	s := &httpSource{manifest: u}
	s.client = &http.Client{Transport: transport, Timeout: opts.Timeout, CheckRedirect: s.checkRedirect}
	return s, nil
}

func (s *httpSource) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return fmt.Errorf("more than %d redirects", maxRedirects)
	}
	if req.URL.Scheme != s.manifest.Scheme || req.URL.Host != s.manifest.Host {
		return fmt.Errorf("redirect to %s://%s leaves the source host %s", req.URL.Scheme, req.URL.Host, s.manifest.Host)
	}
	// The folder rule holds for redirects too, so a source that shares
	// its web server cannot be pointed at another tenant's files.
	if !s.inFolder(req.URL) {
		return fmt.Errorf("redirect to %s leaves the source folder %s", req.URL.Redacted(), s.folder())
	}
	return nil
}

// folder returns the path of the manifest's folder, ending in a slash.
func (s *httpSource) folder() string {
	base := path.Dir(s.manifest.Path)
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return base
}

// inFolder reports whether u lies under the manifest's folder on its host.
// The path is cleaned first, so /pol/../secret does not pass as /pol/.
func (s *httpSource) inFolder(u *url.URL) bool {
	cleaned := path.Clean(u.Path)
	return u.Host == s.manifest.Host && u.Scheme == s.manifest.Scheme && strings.HasPrefix(cleaned, s.folder())
}

func (s *httpSource) String() string { return s.manifest.Redacted() }

func (s *httpSource) Manifest(ctx context.Context) ([]byte, error) {
	rc, err := s.get(ctx, s.manifest, MaxManifestBytes)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Open resolves name against the manifest's folder. ParseManifest already
// rejected URLs and "..", and the check here keeps that true for any
// caller.
func (s *httpSource) Open(ctx context.Context, name string, limit int64) (io.ReadCloser, error) {
	if reason := checkPath(name); reason != "" {
		return nil, fmt.Errorf("document path %q: %s", name, reason)
	}
	ref := &url.URL{Path: name}
	u := s.manifest.ResolveReference(ref)
	u.RawQuery = ""
	if !s.inFolder(u) {
		return nil, fmt.Errorf("document path %q resolves to %s outside %s", name, u.Redacted(), s.folder())
	}
	return s.get(ctx, u, limit)
}

func (s *httpSource) get(ctx context.Context, u *url.URL, limit int64) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("building request for %s: %w", u.Redacted(), err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", u.Redacted(), err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &statusError{url: u.Redacted(), status: resp.Status}
	}
	if resp.ContentLength > limit {
		resp.Body.Close()
		return nil, fmt.Errorf("%s is %d bytes, limit %d: %w", u.Redacted(), resp.ContentLength, limit, ErrTooLarge)
	}
	return limitedReader{ReadCloser: resp.Body, remaining: limit}.wrap(), nil
}

func (s *httpSource) Close() error {
	s.client.CloseIdleConnections()
	return nil
}

// limitedReader fails with ErrTooLarge once more than remaining bytes are
// read, unlike io.LimitReader, which would silently truncate the file.
type limitedReader struct {
	io.ReadCloser
	remaining int64
}

func (l limitedReader) wrap() io.ReadCloser { return &l }

func (l *limitedReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.remaining+1 {
		p = p[:l.remaining+1]
	}
	n, err := l.ReadCloser.Read(p)
	l.remaining -= int64(n)
	if l.remaining < 0 {
		return 0, ErrTooLarge
	}
	return n, err
}
