package audit

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"wenban/appliance/seal"
	"wenban/appliance/store"
)

func openLog(t *testing.T, opts Options) (*Log, string) {
	t.Helper()
	dir := t.TempDir()
	master, err := seal.LoadMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "wenban.db")
	db, err := store.Open(path, master)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return New(db, opts), path
}

func TestRecordAndList(t *testing.T) {
	at := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	l, _ := openLog(t, Options{Now: func() time.Time { return at }})
	ctx := context.Background()
	entries := []Entry{
		{Action: LoginSucceeded, ActorID: "a1", Actor: "张敏", Remote: "10.0.0.5"},
		{Action: HistoryViewed, ActorID: "a1", Actor: "张敏", Target: "conv-1"},
		{Action: LoginFailed, Detail: "密码错误", Remote: "10.0.0.9"},
		{Action: AccountDisabled, ActorID: "admin", Actor: "王敏", Target: "a1"},
	}
	for _, e := range entries {
		if err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name      string
		filter    Filter
		want      []Action
		wantTotal int
	}{
		{"all, newest first", Filter{}, []Action{AccountDisabled, LoginFailed, HistoryViewed, LoginSucceeded}, 4},
		{"one group", Filter{Group: "login"}, []Action{LoginFailed, LoginSucceeded}, 2},
		{"one actor", Filter{ActorID: "a1"}, []Action{HistoryViewed, LoginSucceeded}, 2},
		{"paged", Filter{Offset: 1, Limit: 2}, []Action{LoginFailed, HistoryViewed}, 4},
		{"offset past the end", Filter{Offset: 9, Limit: 2}, nil, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := l.List(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var actions []Action
			for _, e := range got {
				actions = append(actions, e.Action)
			}
			if fmt.Sprint(actions) != fmt.Sprint(tt.want) || total != tt.wantTotal {
				t.Errorf("got %v of %d, want %v of %d", actions, total, tt.want, tt.wantTotal)
			}
		})
	}

	got, _, _ := l.List(ctx, Filter{Limit: 1})
	if got[0].Seq != 4 || !got[0].At.Equal(at) || got[0].Target != "a1" {
		t.Errorf("newest entry: got %+v, want seq 4 at %v about a1", got[0], at)
	}
	if err := l.Record(ctx, Entry{}); err == nil {
		t.Error("entry without an action: got stored, want an error")
	}
}

func TestRecordKeepsNewestUnderCap(t *testing.T) {
	l, _ := openLog(t, Options{MaxEntries: 3})
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		if err := l.Record(ctx, Entry{Action: HistoryViewed, Target: fmt.Sprintf("conv-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	got, total, err := l.List(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || got[0].Target != "conv-5" || got[2].Target != "conv-3" {
		t.Errorf("after 5 entries under a cap of 3: got %d entries %+v, want conv-5 to conv-3", total, got)
	}
}

func TestEntriesSealedOnDisk(t *testing.T) {
	l, path := openLog(t, Options{})
	const marker = "审计标记张某某"
	if err := l.Record(context.Background(), Entry{Action: LoginSucceeded, Actor: marker, Remote: "10.9.8.7"}); err != nil {
		t.Fatal(err)
	}
	l.db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{marker, "10.9.8.7"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("database file holds %q in plaintext", s)
		}
	}
}
