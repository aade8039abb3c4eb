package policy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func runHTTP(t *testing.T, lib *Library, manifestURL string) (Report, error) {
	t.Helper()
	src, err := NewSource(manifestURL, HTTPOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("NewSource(%s): %v", manifestURL, err)
	}
	defer src.Close()
	return lib.Update(context.Background(), src, TriggerCommand)
}

// newFolderServer serves dir under /library/ on 127.0.0.1.
func newFolderServer(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/library/", http.StripPrefix("/library/", http.FileServer(http.Dir(dir))))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestUpdateHTTPDetectsChanges(t *testing.T) {
	lib, _ := newTestLibrary(t)
	dir := t.TempDir()
	srv := newFolderServer(t, dir)
	manifestURL := srv.URL + "/library/" + ManifestName

	writeFolderSource(t, dir, baseDocs, nil)
	r, err := runHTTP(t, lib, manifestURL)
	if err != nil {
		t.Fatalf("first run: %v (report %+v)", err, r)
	}
	if len(r.Added) != 3 {
		t.Errorf("first run added: got %v, want 3 documents", changeIDs(r.Added))
	}

	writeFolderSource(t, dir, changedDocs()[:2], nil)
	r, err = runHTTP(t, lib, manifestURL)
	if err != nil {
		t.Fatalf("second run: %v (report %+v)", err, r)
	}
	if got := changeIDs(r.Changed); len(got) != 1 || got[0] != "征收办法" {
		t.Errorf("changed: got %v, want [征收办法]", got)
	}
	if got := changeIDs(r.Repealed); len(got) != 1 || got[0] != "湖南矿产办法" {
		t.Errorf("repealed: got %v, want [湖南矿产办法]", got)
	}
	if !strings.HasPrefix(r.Source, srv.URL) {
		t.Errorf("report source: got %q, want the manifest URL", r.Source)
	}
}

func TestUpdateHTTPRejects(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request reached the other host: %s", r.URL)
	}))
	t.Cleanup(other.Close)

	plainFiles := func(dir string) http.Handler {
		return http.StripPrefix("/library/", http.FileServer(http.Dir(dir)))
	}
	tests := []struct {
		name    string
		handler func(dir string) http.Handler
		edit    func(*ManifestEntry)
		reason  string
	}{
		{"bad sha256", plainFiles, func(e *ManifestEntry) {
			if e.ID == "登记细则" {
				e.SHA256 = strings.Repeat("ab", 32)
			}
		}, "SHA-256"},
		{"path escaping the folder", plainFiles, func(e *ManifestEntry) {
			if e.ID == "登记细则" {
				e.Path = "../../secret.md"
			}
		}, "更新源之外"},
		{"URL to another host", plainFiles, func(e *ManifestEntry) {
			if e.ID == "登记细则" {
				e.Path = other.URL + "/x.md"
			}
		}, "网址"},
		{"redirect to another host", func(dir string) http.Handler {
			files := http.FileServer(http.Dir(dir))
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "登记细则.md") {
					http.Redirect(w, r, other.URL+"/x.md", http.StatusFound)
					return
				}
				http.StripPrefix("/library/", files).ServeHTTP(w, r)
			})
		}, nil, "下载文件"},
		{"redirect out of the folder", func(dir string) http.Handler {
			files := http.FileServer(http.Dir(dir))
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/secret/") {
					t.Errorf("request left the source folder: %s", r.URL)
					http.NotFound(w, r)
					return
				}
				if strings.HasSuffix(r.URL.Path, "登记细则.md") {
					http.Redirect(w, r, "/secret/登记细则.md", http.StatusFound)
					return
				}
				http.StripPrefix("/library/", files).ServeHTTP(w, r)
			})
		}, nil, "下载文件"},
		{"server error", func(dir string) http.Handler {
			files := http.FileServer(http.Dir(dir))
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "登记细则.md") {
					http.Error(w, "boom", http.StatusInternalServerError)
					return
				}
				http.StripPrefix("/library/", files).ServeHTTP(w, r)
			})
		}, nil, "500"},
		{"oversized body without length", func(dir string) http.Handler {
			files := http.FileServer(http.Dir(dir))
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "登记细则.md") {
					chunk := []byte(strings.Repeat("x", 64<<10))
					for written := 0; written <= MaxDocumentBytes; written += len(chunk) {
						if _, err := w.Write(chunk); err != nil {
							return
						}
						w.(http.Flusher).Flush()
					}
					return
				}
				http.StripPrefix("/library/", files).ServeHTTP(w, r)
			})
		}, nil, "上限"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib, _ := newTestLibrary(t)
			dir := t.TempDir()
			writeFolderSource(t, dir, baseDocs, nil)
			mustRunFolder(t, lib, dir)

			writeFolderSource(t, dir, changedDocs(), func(e *ManifestEntry) {
				e.Size = 0
				if tt.edit != nil {
					tt.edit(e)
				}
			})
			srv := httptest.NewServer(tt.handler(dir))
			t.Cleanup(srv.Close)

			r, err := runHTTP(t, lib, srv.URL+"/library/"+ManifestName)
			if err == nil {
				t.Fatalf("Update: got no error, want the run rejected (report %+v)", r)
			}
			if !reportMentions(r, tt.reason) {
				t.Errorf("report: got failed %+v, want a reason containing %q", r.Failed, tt.reason)
			}
			assertLibraryIntact(t, lib)
		})
	}
}

func TestNewSourceRejects(t *testing.T) {
	tests := []string{
		"relative/folder",
		"ftp://127.0.0.1/manifest.json",
		"http://user:secret@127.0.0.1/manifest.json",
		"http:///manifest.json",
	}
	for _, spec := range tests {
		t.Run(spec, func(t *testing.T) {
			if err := CheckSource(spec); err == nil {
				t.Errorf("CheckSource(%q): got no error, want one", spec)
			}
		})
	}
}

func TestHTTPSourceOpenStaysInFolder(t *testing.T) {
	src, err := newHTTPSource("http://127.0.0.1:1/library/manifest.json", HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"../manifest.json", "/etc/passwd", "http://127.0.0.2/x", "//127.0.0.2/x", "a/../../x"} {
		if _, err := src.Open(context.Background(), path, 10); err == nil {
			t.Errorf("Open(%q): got no error, want the path rejected", path)
		}
	}
}
