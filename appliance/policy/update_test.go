package policy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestUpdateFolderAddsDocuments(t *testing.T) {
	lib, _ := newTestLibrary(t)
	dir := t.TempDir()
	writeFolderSource(t, dir, baseDocs, nil)

	r := mustRunFolder(t, lib, dir)
	if got := changeIDs(r.Added); len(got) != 3 {
		t.Errorf("added: got %v, want the 3 base documents", got)
	}
	if lib.Len() != 3 {
		t.Errorf("Len: got %d, want 3", lib.Len())
	}
	d, ok := lib.Document("征收办法")
	if !ok {
		t.Fatal("Document(征收办法): not found")
	}
	if d.Revision != 1 || d.Version != "1" || d.SourceHash == "" {
		t.Errorf("document: got revision %d version %q hash %q, want 1, \"1\" and a hash", d.Revision, d.Version, d.SourceHash)
	}
	reports, err := lib.Reports(10)
	if err != nil || len(reports) != 1 || !reports[0].OK {
		t.Errorf("Reports: got %+v, %v, want one OK report", reports, err)
	}
}

func TestUpdateUnchangedRunChangesNothing(t *testing.T) {
	lib, _ := newTestLibrary(t)
	dir := t.TempDir()
	writeFolderSource(t, dir, baseDocs, nil)
	mustRunFolder(t, lib, dir)

	r := mustRunFolder(t, lib, dir)
	if len(r.Added)+len(r.Changed)+len(r.Repealed) != 0 || r.Unchanged != 3 {
		t.Errorf("second run: got added %v changed %v repealed %v unchanged %d, want only 3 unchanged",
			changeIDs(r.Added), changeIDs(r.Changed), changeIDs(r.Repealed), r.Unchanged)
	}
	versions, err := lib.Versions("征收办法")
	if err != nil || len(versions) != 1 {
		t.Errorf("Versions: got %d, %v, want 1", len(versions), err)
	}
}

func TestUpdateDetectsChanges(t *testing.T) {
	lib, _ := newTestLibrary(t)
	dir := t.TempDir()
	writeFolderSource(t, dir, baseDocs, nil)
	mustRunFolder(t, lib, dir)

	changed := baseDocs[0]
	changed.version = "2"
	changed.articles = []string{"为了规范土地征收工作，制定本办法。", "征收土地应当先行公告并听取意见。"}
	repealedInManifest := baseDocs[1]
	repealedInManifest.manifestStatus = "已废止"
	added := testDoc{id: "测绘办法", title: "测绘管理办法", articles: []string{"从事测绘活动应当取得测绘资质。"}}
	// baseDocs[2] is left out of the manifest.
	writeFolderSource(t, dir, []testDoc{changed, repealedInManifest, added}, nil)

	r := mustRunFolder(t, lib, dir)
	if got := changeIDs(r.Added); !slices.Equal(got, []string{"测绘办法"}) {
		t.Errorf("added: got %v, want [测绘办法]", got)
	}
	if got := changeIDs(r.Changed); !slices.Equal(got, []string{"征收办法"}) {
		t.Errorf("changed: got %v, want [征收办法]", got)
	}
	repealed := changeIDs(r.Repealed)
	slices.Sort(repealed)
	if want := []string{"湖南矿产办法", "登记细则"}; !slices.Equal(repealed, want) {
		t.Errorf("repealed: got %v, want %v", repealed, want)
	}

	gone, ok := lib.Document("湖南矿产办法")
	if !ok {
		t.Fatal("document missing from the manifest was deleted, want it kept")
	}
	if gone.Status != StatusRepealed || gone.Revision != 2 {
		t.Errorf("document missing from the manifest: got status %s revision %d, want 已废止 and 2", gone.Status, gone.Revision)
	}

	versions, err := lib.Versions("征收办法")
	if err != nil {
		t.Fatalf("Versions: %v", err)
	}
	if len(versions) != 2 {
		t.Fatalf("Versions: got %d, want 2", len(versions))
	}
	if a, _ := versions[0].Article("第二条"); !strings.Contains(a.Text, "补偿") {
		t.Errorf("revision 1 第二条: got %q, want the old text kept", a.Text)
	}
	if a, _ := versions[1].Article("第二条"); !strings.Contains(a.Text, "公告") {
		t.Errorf("revision 2 第二条: got %q, want the new text", a.Text)
	}

	res, err := lib.Search(context.Background(), Query{Text: "公告"})
	if err != nil || res.Total != 1 {
		t.Errorf("Search(公告) after the run: got %d hits, %v, want 1", res.Total, err)
	}
}

func TestUpdateRejectsBadSource(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(t *testing.T, dir string)
		reason string
	}{
		{"bad sha256", func(t *testing.T, dir string) {
			writeFolderSource(t, dir, changedDocs(), func(e *ManifestEntry) {
				if e.ID == "登记细则" {
					e.SHA256 = strings.Repeat("0", 64)
				}
			})
		}, "SHA-256"},
		{"path with dot-dot", func(t *testing.T, dir string) {
			writeFolderSource(t, dir, changedDocs(), func(e *ManifestEntry) {
				if e.ID == "登记细则" {
					e.Path = "../secret.md"
				}
			})
		}, "更新源之外"},
		{"absolute path", func(t *testing.T, dir string) {
			writeFolderSource(t, dir, changedDocs(), func(e *ManifestEntry) {
				if e.ID == "登记细则" {
					e.Path = "/etc/passwd"
				}
			})
		}, "更新源之外"},
		{"URL to another host", func(t *testing.T, dir string) {
			writeFolderSource(t, dir, changedDocs(), func(e *ManifestEntry) {
				if e.ID == "登记细则" {
					e.Path = "http://192.0.2.1/x.md"
				}
			})
		}, "网址"},
		{"symbolic link out of the folder", func(t *testing.T, dir string) {
			writeFolderSource(t, dir, changedDocs(), nil)
			outside := filepath.Join(t.TempDir(), "outside.md")
			data, _ := os.ReadFile(filepath.Join(dir, "docs", "登记细则.md"))
			if err := os.WriteFile(outside, data, 0o644); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, "docs", "登记细则.md")
			os.Remove(link)
			if err := os.Symlink(outside, link); err != nil {
				t.Fatal(err)
			}
		}, "下载文件"},
		{"oversized document", func(t *testing.T, dir string) {
			docs := changedDocs()
			docs[1].articles = []string{strings.Repeat("大", MaxDocumentBytes/3+10)}
			writeFolderSource(t, dir, docs, nil)
		}, "上限"},
		{"oversized document without a size", func(t *testing.T, dir string) {
			docs := changedDocs()
			docs[1].articles = []string{strings.Repeat("大", MaxDocumentBytes/3+10)}
			writeFolderSource(t, dir, docs, func(e *ManifestEntry) { e.Size = 0 })
		}, "上限"},
		{"size differs from manifest", func(t *testing.T, dir string) {
			writeFolderSource(t, dir, changedDocs(), func(e *ManifestEntry) {
				if e.ID == "登记细则" {
					e.Size++
				}
			})
		}, "大小"},
		{"malformed document", func(t *testing.T, dir string) {
			writeFolderSource(t, dir, changedDocs(), nil)
			writeWithHash(t, dir, "登记细则", []byte("---\nid: 登记细则\n---\n"))
		}, "格式有误"},
		{"id differs from manifest", func(t *testing.T, dir string) {
			docs := changedDocs()
			writeFolderSource(t, dir, docs, nil)
			other := docs[1]
			other.id = "别的编号"
			writeWithHash(t, dir, "登记细则", []byte(other.source()))
		}, "不符"},
		{"missing file", func(t *testing.T, dir string) {
			writeFolderSource(t, dir, changedDocs(), nil)
			os.Remove(filepath.Join(dir, "docs", "登记细则.md"))
		}, "下载文件"},
		{"empty manifest", func(t *testing.T, dir string) {
			writeFolderSource(t, dir, changedDocs(), nil)
			os.WriteFile(filepath.Join(dir, ManifestName), []byte(`{"format":1,"documents":[]}`), 0o644)
		}, ""},
		{"missing manifest", func(t *testing.T, dir string) {
			writeFolderSource(t, dir, changedDocs(), nil)
			os.Remove(filepath.Join(dir, ManifestName))
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib, _ := newTestLibrary(t)
			dir := t.TempDir()
			writeFolderSource(t, dir, baseDocs, nil)
			mustRunFolder(t, lib, dir)

			tt.setup(t, dir)
			r, err := runFolder(t, lib, dir)
			if err == nil {
				t.Fatalf("Update: got no error, want the run rejected (report %+v)", r)
			}
			if r.OK || r.Error == "" {
				t.Errorf("report: got OK %v error %q, want a failed report", r.OK, r.Error)
			}
			if tt.reason != "" && !reportMentions(r, tt.reason) {
				t.Errorf("report: got failed %+v, want a reason containing %q", r.Failed, tt.reason)
			}
			assertLibraryIntact(t, lib)
		})
	}
}

// changedDocs is baseDocs with a change to the first document, so that a
// rejected run would have had something to apply.
func changedDocs() []testDoc {
	docs := slices.Clone(baseDocs)
	docs[0].version = "2"
	docs[0].articles = []string{"新的第一条。", "新的第二条。"}
	return docs
}

// writeWithHash replaces a document's file and fixes its manifest entry,
// so that only the content is wrong.
func writeWithHash(t *testing.T, dir, id string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "docs", id+".md"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(raw)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Documents {
		if m.Documents[i].ID == id {
			m.Documents[i].SHA256, m.Documents[i].Size = sha256Hex(data), int64(len(data))
		}
	}
	writeManifest(t, dir, m)
}

func reportMentions(r Report, s string) bool {
	for _, c := range r.Failed {
		if strings.Contains(c.Reason, s) {
			return true
		}
	}
	return strings.Contains(r.Error, s)
}

// assertLibraryIntact checks that the library still holds the first run
// of baseDocs, unchanged, and that search still finds it.
func assertLibraryIntact(t *testing.T, lib *Library) {
	t.Helper()
	if lib.Len() != len(baseDocs) {
		t.Errorf("Len after a rejected run: got %d, want %d", lib.Len(), len(baseDocs))
	}
	for _, want := range baseDocs {
		d, ok := lib.Document(want.id)
		if !ok {
			t.Errorf("Document(%s) after a rejected run: not found", want.id)
			continue
		}
		if d.Revision != 1 || d.Status != StatusInForce {
			t.Errorf("Document(%s) after a rejected run: got revision %d status %s, want 1 and 现行有效", want.id, d.Revision, d.Status)
		}
		versions, err := lib.Versions(want.id)
		if err != nil || len(versions) != 1 {
			t.Errorf("Versions(%s) after a rejected run: got %d, %v, want 1", want.id, len(versions), err)
		}
	}
	res, err := lib.Search(context.Background(), Query{Text: "补偿"})
	if err != nil || res.Total != 1 {
		t.Errorf("Search(补偿) after a rejected run: got %d hits, %v, want 1", res.Total, err)
	}
	reports, err := lib.Reports(10)
	if err != nil || len(reports) != 2 || reports[0].OK || !reports[1].OK {
		t.Errorf("Reports after a rejected run: got %d reports (%v), want the failed one first and the good one second", len(reports), err)
	}
}

func TestUpdateOneRunAtATime(t *testing.T) {
	lib, _ := newTestLibrary(t)
	lib.runMu.Lock()
	_, err := lib.Update(context.Background(), StarterSource(), TriggerAdmin)
	lib.runMu.Unlock()
	if !errors.Is(err, ErrRunning) {
		t.Errorf("Update during a run: got %v, want ErrRunning", err)
	}
}

func TestSeedStarterLibrary(t *testing.T) {
	lib, _ := newTestLibrary(t)
	ran, err := lib.Seed(context.Background())
	if err != nil || !ran {
		t.Fatalf("Seed: got %v, %v, want true, nil", ran, err)
	}
	if n := lib.Len(); n < 12 || n > 20 {
		t.Errorf("starter library: got %d documents, want 12 to 20", n)
	}
	for _, d := range lib.Documents() {
		if !strings.Contains(d.Note, "要点摘编") {
			t.Errorf("%s: got note %q, want the outline notice", d.ID, d.Note)
		}
		if d.Status == StatusUnknown || d.Level == LevelUnknown || d.Issuer == "" {
			t.Errorf("%s: got status %s level %s issuer %q, want all set", d.ID, d.Status, d.Level, d.Issuer)
		}
	}

	again, err := lib.Seed(context.Background())
	if err != nil || again {
		t.Errorf("second Seed: got %v, %v, want false, nil", again, err)
	}
}
