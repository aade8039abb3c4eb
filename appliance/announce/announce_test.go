package announce

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wenban/appliance/seal"
	"wenban/appliance/store"
)

var beijing = time.FixedZone("CST", 8*3600)

func newBoard(t *testing.T, now time.Time) *Board {
	t.Helper()
	dir := t.TempDir()
	master, err := seal.LoadMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, "wenban.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return New(db, beijing, func() time.Time { return now })
}

func TestPublishChecks(t *testing.T) {
	b := newBoard(t, time.Date(2026, 12, 4, 10, 0, 0, 0, beijing))
	ok := Announcement{Title: "元旦放假通知", Body: "1月1日窗口暂停办公。", From: "2026-12-28", Until: "2027-01-01"}
	tests := []struct {
		name  string
		edit  func(*Announcement)
		field string
	}{
		{"valid", func(*Announcement) {}, ""},
		{"empty title", func(a *Announcement) { a.Title = "  " }, "title"},
		{"long title", func(a *Announcement) { a.Title = strings.Repeat("通", MaxTitleRunes+1) }, "title"},
		{"empty body", func(a *Announcement) { a.Body = "" }, "body"},
		{"long body", func(a *Announcement) { a.Body = strings.Repeat("知", MaxBodyRunes+1) }, "body"},
		{"bad start", func(a *Announcement) { a.From = "12/28" }, "from"},
		{"end before start", func(a *Announcement) { a.Until = "2026-12-01" }, "until"},
		{"end already past", func(a *Announcement) { a.From, a.Until = "2026-11-01", "2026-12-03" }, "until"},
		{"too long a period", func(a *Announcement) { a.Until = "2028-01-01" }, "until"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.edit(&a)
			got, err := b.Publish(context.Background(), a, "王敏")
			var ie *InputError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("got %v, want it published", err)
			case tt.field == "" && got.ID == "":
				t.Errorf("published without an id")
			case tt.field != "" && (!errors.As(err, &ie) || ie.Field != tt.field):
				t.Errorf("got %v, want an input error on %s", err, tt.field)
			}
		})
	}
}

func TestCurrentShowsByDay(t *testing.T) {
	now := time.Date(2026, 12, 4, 23, 30, 0, 0, beijing) // 15:30 UTC, still the 4th in Beijing
	b := newBoard(t, now)
	ctx := context.Background()
	for _, a := range []Announcement{
		{Title: "今天", Body: "当天有效", From: "2026-12-04", Until: "2026-12-04"},
		{Title: "以后", Body: "下周有效", From: "2026-12-07", Until: "2026-12-10"},
		{Title: "撤下", Body: "已撤下", From: "2026-12-01", Until: "2026-12-31"},
	} {
		got, err := b.Publish(ctx, a, "王敏")
		if err != nil {
			t.Fatal(err)
		}
		if a.Title == "撤下" {
			if _, err := b.Withdraw(ctx, got.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	cur, err := b.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cur) != 1 || cur[0].Title != "今天" {
		t.Errorf("current: got %+v, want only 今天", cur)
	}
	if _, err := b.Withdraw(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("withdrawing an unknown id: got %v, want ErrNotFound", err)
	}
	all, _ := b.List(ctx)
	if len(all) != 3 || all[0].Title != "撤下" || !all[0].Withdrawn {
		t.Errorf("list: got %+v, want three, newest first, the last withdrawn", all)
	}
}

func TestPublishStripsControls(t *testing.T) {
	b := newBoard(t, time.Date(2026, 12, 4, 10, 0, 0, 0, beijing))
	got, err := b.Publish(context.Background(), Announcement{Title: "通\u202e知\x00", Body: "第一行\n第二行\x07", From: "2026-12-04", Until: "2026-12-05"}, "王敏")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "通知" || got.Body != "第一行\n第二行" {
		t.Errorf("got %q / %q, want the controls gone and the newline kept", got.Title, got.Body)
	}
}
