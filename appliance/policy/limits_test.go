package policy

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestUpdateRejectsOversizedLibrary feeds a run from a server whose
// documents are each under MaxDocumentBytes but together exceed the run's
// cap, as a hostile source listing thousands of large files would.
func TestUpdateRejectsOversizedLibrary(t *testing.T) {
	lib, _ := newTestLibrary(t)
	lib.opts.MaxRunBytes = 1 << 20
	dir := t.TempDir()
	writeFolderSource(t, dir, baseDocs, nil)
	mustRunFolder(t, lib, dir)

	// Each document has about 400 KiB of articles, so the third one
	// crosses the 1 MiB cap.
	var big []testDoc
	for _, id := range []string{"大文件甲", "大文件乙", "大文件丙", "大文件丁", "大文件戊"} {
		d := testDoc{id: id, title: id}
		for range 14 {
			d.articles = append(d.articles, strings.Repeat("土地", 5000))
		}
		big = append(big, d)
	}
	writeFolderSource(t, dir, append(baseDocs[:len(baseDocs):len(baseDocs)], big...), nil)

	var documentRequests atomic.Int32
	files := http.StripPrefix("/library/", http.FileServer(http.Dir(dir)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".md") {
			documentRequests.Add(1)
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	r, err := runHTTP(t, lib, srv.URL+"/library/"+ManifestName)
	if err == nil {
		t.Fatalf("Update: got no error, want the run rejected (report %+v)", r)
	}
	if !reportMentions(r, "合计超过 1 MiB") {
		t.Errorf("report: got failed %+v, error %q, want the total size named", r.Failed, r.Error)
	}
	if got, want := documentRequests.Load(), int32(len(baseDocs)+3); got != want {
		t.Errorf("document downloads: got %d, want %d (the run stops at the document that crosses the cap)", got, want)
	}
	assertLibraryIntact(t, lib)
}

// TestUpdateRejectsNamedPipe points a folder manifest at a named pipe,
// whose open would block the run for ever.
func TestUpdateRejectsNamedPipe(t *testing.T) {
	lib, _ := newTestLibrary(t)
	dir := t.TempDir()
	writeFolderSource(t, dir, baseDocs, nil)
	mustRunFolder(t, lib, dir)

	writeFolderSource(t, dir, changedDocs(), nil)
	pipe := filepath.Join(dir, "docs", "登记细则.md")
	if err := os.Remove(pipe); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("creating a named pipe: %v", err)
	}

	type result struct {
		r   Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := runFolder(t, lib, dir)
		done <- result{r, err}
	}()
	select {
	case res := <-done:
		if res.err == nil {
			t.Fatalf("Update: got no error, want the run rejected (report %+v)", res.r)
		}
		if !reportMentions(res.r, "不是普通文件") {
			t.Errorf("report: got failed %+v, want the pipe named as not a regular file", res.r.Failed)
		}
	case <-time.After(20 * time.Second):
		// Unblock the open so that the test can end.
		if f, err := os.OpenFile(pipe, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("Update: still running after 20s, want it to reject the named pipe at once")
	}
	assertLibraryIntact(t, lib)
}

// TestUpdateReportListsLimitedFailures runs a source whose every document
// has a wrong SHA-256: the stored report names the first ones and counts
// the rest.
func TestUpdateReportListsLimitedFailures(t *testing.T) {
	lib, _ := newTestLibrary(t)
	dir := t.TempDir()
	writeFolderSource(t, dir, baseDocs, nil)
	mustRunFolder(t, lib, dir)

	var docs []testDoc
	for i := range maxManifestProblems + 30 {
		docs = append(docs, testDoc{id: fmt.Sprintf("文件%d", i), title: "标题", articles: []string{"内容。"}})
	}
	writeFolderSource(t, dir, docs, func(e *ManifestEntry) { e.SHA256 = strings.Repeat("ab", 32) })

	r, err := runFolder(t, lib, dir)
	if err == nil {
		t.Fatalf("Update: got no error, want the run rejected")
	}
	if got, want := len(r.Failed), maxManifestProblems+1; got != want {
		t.Errorf("failed entries in the report: got %d, want %d", got, want)
	}
	if last := r.Failed[len(r.Failed)-1].Reason; !strings.Contains(last, "另有 30 个") {
		t.Errorf("last failed entry: got %q, want the count of the rest", last)
	}
	if !strings.Contains(r.Error, fmt.Sprintf("%d 个文件未通过检查", maxManifestProblems+30)) {
		t.Errorf("report error: got %q, want the total number of failed files", r.Error)
	}
	assertLibraryIntact(t, lib)
}

// TestUpdateHTTPHostileServers runs against servers that never finish a
// response: each run must end within the request timeout and change
// nothing.
func TestUpdateHTTPHostileServers(t *testing.T) {
	trickle := func(w http.ResponseWriter, r *http.Request) {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if _, err := w.Write([]byte("{")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
		}
	}
	endless := func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat(" ", 64<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		reason  string
	}{
		{"slow manifest", trickle, "读取更新清单失败：超时"},
		{"endless manifest", endless, "更新清单超过 4 MiB 的上限"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib, _ := newTestLibrary(t)
			dir := t.TempDir()
			writeFolderSource(t, dir, baseDocs, nil)
			mustRunFolder(t, lib, dir)
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)

			src, err := NewSource(srv.URL+"/"+ManifestName, HTTPOptions{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			start := time.Now()
			r, err := lib.Update(t.Context(), src, TriggerCommand)
			if err == nil {
				t.Fatalf("Update: got no error, want the run rejected (report %+v)", r)
			}
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("Update took %v, want it to give up near the 1s request timeout", took)
			}
			if !strings.Contains(r.Error, tt.reason) {
				t.Errorf("report error: got %q, want %q", r.Error, tt.reason)
			}
			assertLibraryIntact(t, lib)
		})
	}
}
