package control

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"wenban/appliance/backup"
)

// shortDir returns a folder whose socket path fits the 108-byte limit of
// Unix socket addresses, which t.TempDir can exceed.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "wbc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func listen(t *testing.T, path string, h http.Handler) *Server {
	t.Helper()
	srv, err := Listen(path, h, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { srv.Close(context.Background()) })
	return srv
}

func TestListenRestrictsAndCleansUp(t *testing.T) {
	path := SocketPath(shortDir(t))
	srv := listen(t, path, http.NotFoundHandler())

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("got socket mode %v, want 0600", got)
	}
	if !Running(path) {
		t.Error("got Running false on a served socket, want true")
	}

	if _, err := Listen(path, http.NotFoundHandler(), slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "another hub") {
		t.Errorf("second Listen: got %v, want the another-hub error", err)
	}

	if err := srv.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("socket file after Close: got %v, want it removed", err)
	}
	if Running(path) {
		t.Error("got Running true after Close, want false")
	}
}

func TestListenReplacesStaleSocket(t *testing.T) {
	path := SocketPath(shortDir(t))
	// A socket file nobody listens on, as a crashed hub leaves behind.
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()

	listen(t, path, http.NotFoundHandler())
	if !Running(path) {
		t.Error("got Running false after replacing a stale socket, want true")
	}
}

func TestListenRefusesRegularFile(t *testing.T) {
	path := SocketPath(shortDir(t))
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(path, http.NotFoundHandler(), slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("got %v, want the not-a-socket error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "keep me" {
		t.Errorf("got file content %q after the refusal, want it kept", got)
	}
}

// newBoltData makes a data folder with a bbolt database holding one
// record and one finished and one unfinished attachment file.
func newBoltData(t *testing.T) (string, *bbolt.DB) {
	t.Helper()
	dir := shortDir(t)
	db, err := bbolt.Open(filepath.Join(dir, backup.DatabaseName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("records"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("acknowledged"))
	}); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "attachments"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"attachments/done": "sealed bytes", "attachments/open.part": "half"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir, db
}

func boltSnapshot(db *bbolt.DB) func(string) error {
	return func(path string) error {
		return db.View(func(tx *bbolt.Tx) error { return tx.CopyFile(path, 0o600) })
	}
}

func TestOnlineBackupWhileServing(t *testing.T) {
	dir, db := newBoltData(t)
	key, err := backup.NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	path := SocketPath(dir)
	source := func() backup.Source {
		return backup.Source{
			Dir:        dir,
			SnapshotDB: boltSnapshot(db),
			Exclude: func(rel string) bool {
				return rel == SocketName || strings.HasSuffix(rel, ".part")
			},
		}
	}
	mux := http.NewServeMux()
	written := make(chan int, 1)
	mux.Handle(BackupPath, BackupHandler(source, slog.New(slog.DiscardHandler), func(files int) { written <- files }))
	listen(t, path, mux)

	var buf bytes.Buffer
	n, err := RequestBackup(context.Background(), path, key, &buf)
	if err != nil {
		t.Fatalf("RequestBackup: %v", err)
	}
	if n != 2 {
		t.Errorf("got %d files, want 2 (the database and the finished attachment)", n)
	}
	select {
	case files := <-written:
		if files != 2 {
			t.Errorf("written callback: got %d files, want 2", files)
		}
	default:
		t.Error("written callback not called after a completed backup")
	}

	sum, err := backup.Check(bytes.NewReader(buf.Bytes()), key)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	var paths []string
	for _, f := range sum.Files {
		paths = append(paths, f.Path)
	}
	got := strings.Join(paths, ",")
	if !strings.Contains(got, "attachments/done") || !strings.Contains(got, backup.DatabaseName) || strings.Contains(got, ".part") || strings.Contains(got, SocketName) {
		t.Errorf("got backup files %s, want the database and attachments/done only", got)
	}

	// The database stays writable by the hub during and after the backup.
	if err := db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("records")).Put([]byte("k2"), []byte("later"))
	}); err != nil {
		t.Errorf("write after the online backup: %v", err)
	}
}

func TestOnlineBackupReportsFailureInTrailer(t *testing.T) {
	dir, _ := newBoltData(t)
	path := SocketPath(dir)
	source := func() backup.Source {
		return backup.Source{Dir: dir, SnapshotDB: func(string) error { return io.ErrUnexpectedEOF }}
	}
	mux := http.NewServeMux()
	mux.Handle(BackupPath, BackupHandler(source, slog.New(slog.DiscardHandler), nil))
	listen(t, path, mux)

	_, err := RequestBackup(context.Background(), path, "abcd-efgh-ijkl-mnop", io.Discard)
	if err == nil || !strings.Contains(err.Error(), "请重试") {
		t.Errorf("got %v, want an error that asks to retry", err)
	}
}

func TestBackupHandlerRejectsBadRequests(t *testing.T) {
	path := SocketPath(shortDir(t))
	mux := http.NewServeMux()
	mux.Handle(BackupPath, BackupHandler(func() backup.Source { return backup.Source{} }, slog.New(slog.DiscardHandler), nil))
	listen(t, path, mux)
	client := Client(path)

	cases := []struct {
		name   string
		method string
		body   string
		want   int
	}{
		{"get", http.MethodGet, "", http.StatusMethodNotAllowed},
		{"no key", http.MethodPost, `{}`, http.StatusBadRequest},
		{"blank key", http.MethodPost, `{"recovery_key":"  "}`, http.StatusBadRequest},
		{"short key", http.MethodPost, `{"recovery_key":"abcd-efgh-ijkl-mno"}`, http.StatusBadRequest},
		{"not json", http.MethodPost, `key`, http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, tc.method, BaseURL+BackupPath, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("got status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func TestPeerGuardRefusesUnknownPeer(t *testing.T) {
	h := peerGuard(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}), slog.New(slog.DiscardHandler))

	cases := []struct {
		name string
		ctx  context.Context
		want int
	}{
		{"no peer credentials", context.Background(), http.StatusForbidden},
		{"another user", context.WithValue(context.Background(), peerKey{}, uint32(os.Getuid()+4242)), http.StatusForbidden},
		{"same user", context.WithValue(context.Background(), peerKey{}, uint32(os.Getuid())), http.StatusNoContent},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, BackupPath, nil).WithContext(tc.ctx))
			if rec.Code != tc.want {
				t.Errorf("got status %d, want %d", rec.Code, tc.want)
			}
		})
	}
}
