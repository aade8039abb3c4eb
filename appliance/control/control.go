// Package control provides the local control socket of a running hub: a
// Unix socket in the data folder that only the hub's own user and root
// can reach. Command-line tools request work that needs the open database
// over it, such as an online backup, because bbolt lets one process hold
// the database and a tool cannot open it while the hub runs.
package control

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// SocketName is the control socket's file name in the data folder.
const SocketName = "control.sock"

// SocketPath returns the control socket of the hub whose data folder is
// dataDir.
func SocketPath(dataDir string) string {
	return filepath.Join(dataDir, SocketName)
}

// Server serves the control socket.
type Server struct {
	path string
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
}

// Listen opens the control socket at path and serves h on it until
// Close. A socket file left by a hub that crashed is replaced. A socket a
// live hub listens on is an error, because two hubs on one data folder
// would corrupt it.
func Listen(path string, h http.Handler, log *slog.Logger) (*Server, error) {
	if err := removeStale(path); err != nil {
		return nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("opening control socket %s: %w", path, err)
	}
	// The data folder is 0700 already; the mode keeps the socket private
	// even when an operator loosens the folder.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("restricting control socket %s: %w", path, err)
	}

	s := &Server{
		path: path,
		ln:   ln,
		done: make(chan struct{}),
		srv: &http.Server{
			Handler:           peerGuard(h, log),
			ReadHeaderTimeout: 10 * time.Second,
			ConnContext:       withPeer,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("control socket stopped", slog.String("path", path), slog.Any("err", err))
		}
	}()
	return s, nil
}

// Close stops the server, waits for requests in flight until ctx ends and
// removes the socket file.
func (s *Server) Close(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	<-s.done
	if rerr := os.Remove(s.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
		err = fmt.Errorf("removing control socket %s: %w", s.path, rerr)
	}
	return err
}

func removeStale(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking control socket %s: %w", path, err)
	}
	if info.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("control socket path %s is a file, not a socket: move or delete it, then start the hub again", path)
	}
	if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
		conn.Close()
		return fmt.Errorf("another hub is listening on control socket %s: stop the other wenban serve on this data folder first", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("removing stale control socket %s: %w", path, err)
	}
	return nil
}

type peerKey struct{}

// withPeer records the user id of the process at the other end of the
// connection, which the kernel reports for Unix sockets.
func withPeer(ctx context.Context, c net.Conn) context.Context {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return ctx
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return ctx
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || credErr != nil {
		return ctx
	}
	return context.WithValue(ctx, peerKey{}, cred.Uid)
}

// peerGuard admits only the hub's own user and root. The socket's mode
// does the same; this holds if the file's mode is ever changed.
func peerGuard(h http.Handler, log *slog.Logger) http.Handler {
	self := uint32(os.Getuid())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uid, ok := r.Context().Value(peerKey{}).(uint32)
		if !ok || (uid != self && uid != 0) {
			log.Warn("control request refused", slog.Bool("peer_known", ok), slog.Uint64("uid", uint64(uid)))
			http.Error(w, "只有服务中心的运行账号或 root 可以使用控制接口", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Client returns an HTTP client that reaches the control socket at path.
// Request URLs use the host "wenban", which the transport ignores.
func Client(path string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		DisableKeepAlives: true,
	}}
}

// BaseURL is the URL prefix of control requests made with Client.
const BaseURL = "http://wenban"

// Running reports whether a hub is listening on the control socket at
// path.
func Running(path string) bool {
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
