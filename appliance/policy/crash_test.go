package policy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wenban/appliance/seal"
	"wenban/appliance/store"
)

// Environment of the update process TestUpdateKilledMidRun starts.
const (
	crashDBEnv  = "WENBAN_POLICY_CRASH_DB"
	crashURLEnv = "WENBAN_POLICY_CRASH_URL"
)

func openCrashDB(t *testing.T, path string) *store.DB {
	t.Helper()
	key := make([]byte, seal.KeySize)
	for i := range key {
		key[i] = byte(i)
	}
	master, err := seal.NewMasterKey(key)
	if err != nil {
		t.Fatalf("NewMasterKey: %v", err)
	}
	db, err := store.Open(path, master)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	return db
}

// TestUpdateCrashHelper is the process that TestUpdateKilledMidRun kills
// in the middle of an update. It does nothing in a normal test run.
func TestUpdateCrashHelper(t *testing.T) {
	path, url := os.Getenv(crashDBEnv), os.Getenv(crashURLEnv)
	if path == "" || url == "" {
		t.Skip("runs only as the process TestUpdateKilledMidRun kills")
	}
	db := openCrashDB(t, path)
	lib, err := Open(db, Options{StagingDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	src, err := NewSource(url, HTTPOptions{Timeout: time.Minute})
	if err != nil {
		t.Fatalf("NewSource: %v", err)
	}
	lib.Update(context.Background(), src, TriggerCommand) // killed before it returns
	t.Fatal("update returned, want the process killed first")
}

// TestUpdateKilledMidRun kills the process of an update while it downloads
// the changed library, then opens the store again as a restart would: the
// previous library must be complete and searchable.
func TestUpdateKilledMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second test process")
	}
	dbPath := filepath.Join(t.TempDir(), "wenban.db")
	db := openCrashDB(t, dbPath)
	lib, err := Open(db, Options{StagingDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	dir := t.TempDir()
	writeFolderSource(t, dir, baseDocs, nil)
	mustRunFolder(t, lib, dir)
	lib.Close()
	db.Close()

	// The changed library's last document never finishes downloading.
	writeFolderSource(t, dir, changedDocs(), nil)
	reached := make(chan struct{}, 1)
	release := make(chan struct{})
	files := http.StripPrefix("/library/", http.FileServer(http.Dir(dir)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "湖南矿产办法.md") {
			w.Header().Set("Content-Length", "100000")
			w.Write([]byte("---\n"))
			w.(http.Flusher).Flush()
			select {
			case reached <- struct{}{}:
			default:
			}
			<-release
			return
		}
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	defer close(release)

	cmd := exec.Command(os.Args[0], "-test.run=^TestUpdateCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+dbPath, crashURLEnv+"="+srv.URL+"/library/"+ManifestName)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the update process: %v", err)
	}
	select {
	case <-reached:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the update process did not reach the last document within 60s")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("killing the update process: %v", err)
	}
	cmd.Wait()

	db = openCrashDB(t, dbPath)
	defer db.Close()
	lib, err = Open(db, Options{StagingDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Open after the kill: %v", err)
	}
	defer lib.Close()
	d, ok := lib.Document("征收办法")
	if !ok || d.Revision != 1 || d.Version != "1" {
		t.Errorf("征收办法 after the kill: got %+v, %v, want revision 1 of version 1", d.Revision, ok)
	}
	if lib.Len() != len(baseDocs) {
		t.Errorf("Len after the kill: got %d, want %d", lib.Len(), len(baseDocs))
	}
	res, err := lib.Search(context.Background(), Query{Text: "补偿"})
	if err != nil || res.Total != 1 {
		t.Errorf("Search(补偿) after the kill: got %d hits, %v, want 1", res.Total, err)
	}
}
