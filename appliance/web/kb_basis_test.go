package web

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"wenban/appliance/kb"
	"wenban/appliance/policy"
	"wenban/appliance/seal"
	"wenban/appliance/store"
)

func seededLibrary(t *testing.T) *policy.Library {
	t.Helper()
	dir := t.TempDir()
	master, err := seal.LoadMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatalf("loading master key: %v", err)
	}
	db, err := store.Open(filepath.Join(dir, "wenban.db"), master)
	if err != nil {
		t.Fatalf("opening store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	lib, err := policy.Open(db, policy.Options{StagingDir: t.TempDir()})
	if err != nil {
		t.Fatalf("opening policy library: %v", err)
	}
	t.Cleanup(func() { lib.Close() })
	if _, err := lib.Seed(context.Background()); err != nil {
		t.Fatalf("seeding policy library: %v", err)
	}
	return lib
}

func TestEntryCitationProblem(t *testing.T) {
	s := &Server{deps: Deps{Policy: seededLibrary(t)}}
	tests := []struct {
		name  string
		basis []string
		want  string // substring of the reason; "" for none
	}{
		{"known article", []string{"土地管理法#第六十二条"}, ""},
		{"whole known document", []string{"土地管理法"}, ""},
		{"unknown document", []string{"不存在的法规#第九十九条"}, "没有编号为“不存在的法规”的文件"},
		{"unknown article", []string{"土地管理法#第九百条"}, "中没有第九百条"},
		{"second reference wrong", []string{"土地管理法#第六十二条", "编造的办法"}, "编造的办法"},
		{"no basis", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.entryCitationProblem(kb.Entry{ID: "t-001", Basis: tt.basis})
			if tt.want == "" && got != "" {
				t.Errorf("problem: got %q, want none", got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("problem: got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestEntryCitationProblemWithoutLibrary(t *testing.T) {
	s := &Server{}
	if got := s.entryCitationProblem(kb.Entry{Basis: []string{"不存在的法规#第九十九条"}}); got != "" {
		t.Errorf("problem without a library: got %q, want none", got)
	}
}

func TestImportCitationsListsRows(t *testing.T) {
	s := &Server{deps: Deps{Policy: seededLibrary(t)}}
	entries := []kb.Entry{
		{ID: "t-001", Basis: []string{"土地管理法#第六十二条"}},
		{ID: "t-002", Basis: []string{"不存在的法规#第九十九条"}},
	}
	err := s.checkImportCitations(entries)
	var ie *kb.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("check: got %v, want a *kb.ImportError", err)
	}
	if len(ie.Problems) != 1 {
		t.Fatalf("problems: got %d, want 1: %+v", len(ie.Problems), ie.Problems)
	}
	p := ie.Problems[0]
	if p.Row != 3 || p.Field != "basis" {
		t.Errorf("problem place: got row %d field %q, want row 3 field basis", p.Row, p.Field)
	}
	if !strings.Contains(p.Reason, "t-002") {
		t.Errorf("problem reason %q does not name the entry", p.Reason)
	}
	if err := s.checkImportCitations(entries[:1]); err != nil {
		t.Errorf("check of valid entries: got %v, want nil", err)
	}
}
