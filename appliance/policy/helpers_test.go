package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wenban/appliance/seal"
	"wenban/appliance/store"
)

func newTestLibrary(t *testing.T) (*Library, *store.DB) {
	t.Helper()
	key := make([]byte, seal.KeySize)
	for i := range key {
		key[i] = byte(i)
	}
	master, err := seal.NewMasterKey(key)
	if err != nil {
		t.Fatalf("NewMasterKey: %v", err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "wenban.db"), master)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })

	lib, err := Open(db, Options{StagingDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib, db
}

// testDoc describes one source document of a test.
type testDoc struct {
	id, title, issuer, status string
	articles                  []string // article texts, numbered from 第一条
	// manifestStatus, when set, goes into the manifest entry.
	manifestStatus string
	version        string
}

func (d testDoc) source() string {
	issuer := d.issuer
	if issuer == "" {
		issuer = "自然资源部"
	}
	status := d.status
	if status == "" {
		status = "现行有效"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "---\nid: %s\ntitle: %s\nissuer: %s\npublished: 2020-01-01\nstatus: %s\nlevel: 部门规章\n---\n\n第一章 总则\n\n",
		d.id, d.title, issuer, status)
	for i, text := range d.articles {
		fmt.Fprintf(&b, "第%s条 %s\n\n", formatNumeral(i+1), text)
	}
	return b.String()
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// writeFolderSource writes docs and their manifest into dir, replacing
// what was there. edit may change each manifest entry before writing.
func writeFolderSource(t *testing.T, dir string, docs []testDoc, edit func(*ManifestEntry)) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := Manifest{Format: ManifestFormat}
	for _, d := range docs {
		data := []byte(d.source())
		path := "docs/" + d.id + ".md"
		if err := os.WriteFile(filepath.Join(dir, path), data, 0o644); err != nil {
			t.Fatal(err)
		}
		version := d.version
		if version == "" {
			version = "1"
		}
		e := ManifestEntry{ID: d.id, Version: version, SHA256: sha256Hex(data), Path: path,
			Size: int64(len(data)), Status: d.manifestStatus}
		if edit != nil {
			edit(&e)
		}
		m.Documents = append(m.Documents, e)
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

func runFolder(t *testing.T, lib *Library, dir string) (Report, error) {
	t.Helper()
	src, err := NewSource(dir, HTTPOptions{})
	if err != nil {
		t.Fatalf("NewSource(%s): %v", dir, err)
	}
	defer src.Close()
	return lib.Update(context.Background(), src, TriggerCommand)
}

func mustRunFolder(t *testing.T, lib *Library, dir string) Report {
	t.Helper()
	r, err := runFolder(t, lib, dir)
	if err != nil {
		t.Fatalf("Update: got error %v, want none (report %+v)", err, r)
	}
	if !r.OK {
		t.Fatalf("Update: got report not OK: %+v", r)
	}
	return r
}

func changeIDs(cs []Change) []string {
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

var baseDocs = []testDoc{
	{id: "征收办法", title: "土地征收管理办法", issuer: "自然资源部", articles: []string{
		"为了规范土地征收工作，制定本办法。",
		"征收土地应当依法给予公平合理的补偿，保障被征地农民的生活水平不降低。",
	}},
	{id: "登记细则", title: "不动产登记细则", issuer: "自然资源部", articles: []string{
		"不动产登记应当依申请办理。",
		"办理抵押登记的，当事人应当共同申请。",
	}},
	{id: "湖南矿产办法", title: "湖南省矿产资源管理办法", issuer: "湖南省人民政府", articles: []string{
		"本省行政区域内勘查、开采矿产资源适用本办法。",
		"采矿权人应当按期缴纳矿业权出让收益。",
	}},
}

func writeManifest(t *testing.T, dir string, m Manifest) {
	t.Helper()
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), raw, 0o644); err != nil {
		t.Fatal(err)
	}
}
