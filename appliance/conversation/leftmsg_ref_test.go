package conversation

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// serviceAt opens a Service on the database in dir whose clock reads *now.
func serviceAt(t *testing.T, dir string, now *time.Time) *Service {
	t.Helper()
	db := openDB(t, dir)
	s, err := NewService(db, Options{Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		db.Close()
	})
	return s
}

func leave(t *testing.T, s *Service, phone string) LeftMessage {
	t.Helper()
	m, err := s.LeaveMessage(context.Background(), LeftMessage{Name: "王芳", Phone: phone, Text: "宅基地审批进度"})
	if err != nil {
		t.Fatalf("leaving message: %v", err)
	}
	return m
}

func TestLeftMessageRefsPerDay(t *testing.T) {
	dir := t.TempDir()
	// 23:30 UTC on 3 December is 07:30 on 4 December in Beijing.
	now := time.Date(2026, 12, 3, 23, 30, 0, 0, time.UTC)
	s := serviceAt(t, dir, &now)

	first := leave(t, s, "13800138000")
	second := leave(t, s, "13800138001")
	now = now.Add(24 * time.Hour)
	nextDay := leave(t, s, "13800138002")

	cases := []struct {
		name string
		got  string
		want string
	}{
		{"first of the day", first.Ref, "LY20261204-0001"},
		{"second of the day", second.Ref, "LY20261204-0002"},
		{"next day restarts", nextDay.Ref, "LY20261205-0001"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}

	list, err := s.LeftMessages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].Ref != "LY20261205-0001" {
		t.Errorf("stored refs: got %+v, want 3 messages, newest LY20261205-0001", list)
	}
}

func TestLeftMessageRefsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)

	db := openDB(t, dir)
	s, err := NewService(db, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	before := leave(t, s, "13800138000")
	s.Close()
	db.Close()

	s = serviceAt(t, dir, &now)
	after := leave(t, s, "13800138001")
	if before.Ref != "LY20261204-0001" {
		t.Errorf("before restart: got %q, want LY20261204-0001", before.Ref)
	}
	if after.Ref != "LY20261204-0002" {
		t.Errorf("after restart: got %q, want LY20261204-0002", after.Ref)
	}
}

func TestLookUpLeftMessage(t *testing.T) {
	now := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	s := serviceAt(t, t.TempDir(), &now)
	mobile := leave(t, s, "13800138000")
	landline := leave(t, s, "0731-88888888")
	ctx := context.Background()

	cases := []struct {
		name  string
		ref   string
		phone string
		found bool
	}{
		{"exact", mobile.Ref, "13800138000", true},
		{"lower case and no hyphen", "ly20261204" + mobile.Ref[11:], "13800138000", true},
		{"full-width digits", "ＬＹ２０２６１２０４－０００１", "１３８００１３８０００", true},
		{"landline without hyphen", landline.Ref, "073188888888", true},
		{"wrong phone", mobile.Ref, "13800138009", false},
		{"other message's phone", mobile.Ref, "0731-88888888", false},
		{"unknown ref", "LY20261204-0099", "13800138000", false},
		{"malformed ref", "LY2026", "13800138000", false},
		{"empty phone", mobile.Ref, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, err := s.LookUpLeftMessage(ctx, tc.ref, tc.phone)
			if tc.found {
				if err != nil {
					t.Fatalf("got %v, want the status", err)
				}
				if st.Handled {
					t.Errorf("handled: got true, want false before any reply")
				}
				return
			}
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
			if err.Error() != "looking up left message: "+ErrNotFound.Error() {
				t.Errorf("error text: got %q, want the one text every miss shares", err)
			}
		})
	}

	if _, err := s.ReplyLeftMessage(ctx, mobile.ID, zhang, "已电话告知审批进度"); err != nil {
		t.Fatal(err)
	}
	st, err := s.LookUpLeftMessage(ctx, mobile.Ref, "13800138000")
	if err != nil {
		t.Fatal(err)
	}
	if !st.Handled || st.Reply != "已电话告知审批进度" || st.RepliedAt.IsZero() {
		t.Errorf("after reply: got %+v, want handled with the reply and its time", st)
	}
}

func TestLeftMessageSealedOnDisk(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
	db := openDB(t, dir)
	s, err := NewService(db, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.LeaveMessage(context.Background(), LeftMessage{Name: "王芳芳", Phone: "13912345678", Text: "宅基地审批进度查询"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db.Close()

	raw, err := os.ReadFile(filepath.Join(dir, "wenban.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"王芳芳", "13912345678", "宅基地审批进度查询"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("database file contains %q in plain text, want it sealed", secret)
		}
	}
	if !bytes.Contains(raw, []byte(m.Ref)) {
		t.Errorf("database file lacks the reference index entry %q", m.Ref)
	}
}

func TestParseRef(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"LY20261204-0007", "LY20261204-0007", true},
		{" ly20261204 0007 ", "LY20261204-0007", true},
		{"LY202612040007", "LY20261204-0007", true},
		{"ＬＹ２０２６１２０４－０００７", "LY20261204-0007", true},
		{"LY20261204-12345", "LY20261204-12345", true},
		{"LY2026124-0007", "", false},
		{"XY20261204-0007", "", false},
		{"LY20261204-07", "LY20261204-0007", true},
		{"ly20261204-1", "LY20261204-0001", true},
		{"LY20261204-0", "", false},
		{"LY20261204", "", false},
		{"", "", false},
	}
	for _, tc := range cases {
		got, ok := ParseRef(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRef(%q): got %q %v, want %q %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestMatchesRef(t *testing.T) {
	m := LeftMessage{Ref: "LY20261204-0007"}
	cases := []struct {
		query string
		want  bool
	}{
		{"LY20261204-0007", true},
		{"ly202612040007", true},
		{"20261204", true},
		{"0007", true},
		{"LY20261204-0008", false},
		{"20261205", false},
		{"  ", false},
	}
	for _, tc := range cases {
		if got := m.MatchesRef(tc.query); got != tc.want {
			t.Errorf("MatchesRef(%q): got %v, want %v", tc.query, got, tc.want)
		}
	}
	if (LeftMessage{}).MatchesRef("LY") {
		t.Errorf("message without ref: got a match, want none")
	}
}

func FuzzParseRef(f *testing.F) {
	for _, seed := range []string{"LY20261204-0007", "ly202612040007", "ＬＹ２０２６", "LY\x00", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ref, ok := ParseRef(in)
		if !ok {
			if ref != "" {
				t.Fatalf("ParseRef(%q): got %q with ok false, want empty", in, ref)
			}
			return
		}
		again, ok2 := ParseRef(ref)
		if !ok2 || again != ref {
			t.Fatalf("ParseRef(%q) = %q, which parses to %q %v, want itself", in, ref, again, ok2)
		}
	})
}

func FuzzPhoneDigits(f *testing.F) {
	for _, seed := range []string{"0731-88888888", "１３８", "", "+86 138 0013 8000"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d := PhoneDigits(in)
		if len(d) > maxRefLen*3 {
			t.Fatalf("PhoneDigits(%q): got %d digits, want at most %d", in, len(d), maxRefLen*3)
		}
		for _, r := range d {
			if r < '0' || r > '9' {
				t.Fatalf("PhoneDigits(%q) = %q, want ASCII digits only", in, d)
			}
		}
	})
}
