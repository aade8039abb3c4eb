package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"wenban/appliance/attach"
	"wenban/appliance/audit"
	"wenban/appliance/auth"
	"wenban/appliance/calendar"
	"wenban/appliance/conversation"
	"wenban/appliance/seal"
	"wenban/appliance/store"
)

// attachHarness is a harness whose server stores attachments under dir.
type attachHarness struct {
	*harness
	dir   string
	store *attach.Store
}

const testFileLimit = 1 << 20

// newAttachHarness starts a server with files; tune, when given, changes
// the test limits.
func newAttachHarness(t *testing.T, tune ...func(*AttachmentLimits)) *attachHarness {
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
	conv, err := conversation.NewService(db, conversation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conv.Close() })
	cal, err := calendar.New(calendar.Default())
	if err != nil {
		t.Fatal(err)
	}
	files, err := attach.Open(db, filepath.Join(dir, "attachments"), attach.Options{})
	if err != nil {
		t.Fatal(err)
	}

	h := &harness{t: t, conv: conv, auth: auth.NewService(db, auth.Options{}), clock: &clock{now: openTime}, logs: &logBuffer{}}
	h.audit = audit.New(db, audit.Options{Now: h.clock.Now})
	deps := Deps{
		Conversations: conv,
		Auth:          h.auth,
		Calendar:      cal,
		Logger:        slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:           h.clock.Now,
		Audit:         h.audit,
		Attachments: &Attachments{
			Store: files,
			Lines: conv,
			Limits: AttachmentLimits{
				MaxImageBytes: testFileLimit, MaxFileBytes: testFileLimit, MaxVoiceBytes: testFileLimit,
				MaxVoiceDuration: time.Minute,
				FileTypes:        []string{attach.TypePDF, attach.TypeText, attach.TypePNG},
			},
		},
	}
	for _, f := range tune {
		f(&deps.Attachments.Limits)
	}
	h.web = New(deps)
	h.srv = httptest.NewServer(h.web.Handler())
	t.Cleanup(h.srv.Close)
	return &attachHarness{harness: h, dir: dir, store: files}
}

// citizen starts a conversation served by agent and returns a client
// holding its cookie.
func (h *attachHarness) citizen(agent auth.Account) (conversation.Conversation, *http.Client) {
	h.t.Helper()
	c, token, err := h.conv.Start(context.Background(), conversation.StartRequest{Channel: "web", Topic: "不动产登记"})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.conv.Accept(context.Background(), conversation.Agent{ID: agent.ID, Name: agent.DisplayName}, c.ID); err != nil {
		h.t.Fatal(err)
	}
	client := h.client()
	u, _ := url.Parse(h.srv.URL)
	client.Jar.SetCookies(u, []*http.Cookie{{Name: citizenCookie, Value: conversation.CookieValue(c.ID, token), Path: "/"}})
	return c, client
}

func (h *attachHarness) upload(c *http.Client, kind, name string, body []byte, header ...string) response {
	h.t.Helper()
	path := "/api/v1/attachments?" + url.Values{"kind": {kind}, "name": {name}}.Encode()
	return h.do(c, http.MethodPost, path, "application/octet-stream", string(body), header...)
}

func (h *attachHarness) uploaded(c *http.Client, kind, name string, body []byte) conversation.Message {
	h.t.Helper()
	resp := h.upload(c, kind, name, body)
	if resp.status != http.StatusCreated {
		h.t.Fatalf("uploading %s: got status %d, want 201; body %s", name, resp.status, resp.body)
	}
	var reply uploadReply
	decodeBody(h.t, resp.body, &reply)
	if reply.Message.Attachment == nil {
		h.t.Fatalf("upload reply has no attachment: %s", resp.body)
	}
	return reply.Message
}

var testPDF = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + strings.Repeat("0123456789", 100))

// endlessBody serves n bytes of 'a' and counts what the client sent.
type endlessBody struct {
	n    int64
	read atomic.Int64
}

func (b *endlessBody) Read(p []byte) (int, error) {
	left := b.n - b.read.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), left)]
	for i := range p {
		p[i] = 'a'
	}
	b.read.Add(int64(len(p)))
	return len(p), nil
}

func TestUploadLimitStopsStream(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	_, citizen := h.citizen(agent)

	cases := []struct {
		name   string
		size   int64
		length bool
	}{
		{"one byte past the limit, streamed", testFileLimit + 1, false},
		{"far past the limit, streamed", 512 << 20, false},
		{"past the limit, declared", testFileLimit + 1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := &endlessBody{n: tc.size}
			req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/api/v1/attachments?kind=file&name=a.txt", io.NopCloser(body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.length {
				req.ContentLength = tc.size
			}
			resp, err := citizen.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusRequestEntityTooLarge {
					t.Errorf("got status %d, want 413", resp.StatusCode)
				}
			}
			// The server stops reading past the limit; socket buffers on
			// loopback take a few MiB more from the client at most.
			if got := body.read.Load(); got > testFileLimit+32<<20 || got == tc.size && tc.size > 64<<20 {
				t.Errorf("client sent %d of %d bytes, want the server to stop reading near %d", got, tc.size, testFileLimit)
			}
			if n := blobCount(t, h.store.Dir()); n != 0 {
				t.Errorf("got %d blob files after a rejected upload, want 0", n)
			}
		})
	}
}

func blobCount(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestUploadRejectsTypeByContent(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	_, citizen := h.citizen(agent)

	cases := []struct {
		name, kind, fileName string
		body                 []byte
		want                 int
	}{
		{"html named png", "image", "photo.png", []byte("<html><script>alert(1)</script></html>"), http.StatusUnsupportedMediaType},
		{"pdf sent as image", "image", "scan.png", testPDF, http.StatusUnsupportedMediaType},
		{"unknown kind", "video", "a.pdf", testPDF, http.StatusBadRequest},
		{"pdf with image content type", "file", "a.pdf", testPDF, http.StatusCreated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := h.upload(citizen, tc.kind, tc.fileName, tc.body, "Content-Type", "image/png")
			if resp.status != tc.want {
				t.Errorf("got status %d, want %d; body %s", resp.status, tc.want, resp.body)
			}
		})
	}
}

func TestDownloadKeepsOddNames(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	_, citizen := h.citizen(agent)

	names := []string{
		`不动产 登记 "申请表" 😀.pdf`,
		`测绘成果 ;%20 'quoted'.pdf`,
		`  前后有空格  .pdf`,
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			msg := h.uploaded(citizen, "file", name, testPDF)
			resp := h.get(citizen, "/attachments/"+msg.Attachment.ID)
			if resp.status != http.StatusOK {
				t.Fatalf("got status %d, want 200", resp.status)
			}
			disposition, params, err := mime.ParseMediaType(resp.header.Get("Content-Disposition"))
			if err != nil {
				t.Fatalf("parsing %q: %v", resp.header.Get("Content-Disposition"), err)
			}
			if want := attach.CleanName(name); params["filename"] != want || disposition != "attachment" {
				t.Errorf("got %s with name %q, want attachment with %q", disposition, params["filename"], want)
			}
			if resp.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("got X-Content-Type-Options %q, want nosniff", resp.header.Get("X-Content-Type-Options"))
			}
			if resp.body != string(testPDF) {
				t.Errorf("got %d bytes back, want the %d uploaded", len(resp.body), len(testPDF))
			}
		})
	}
}

func TestUploadLeavesNoPlainText(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	_, citizen := h.citizen(agent)

	const marker = "MARKER-7d1e-宗地编号"
	h.uploaded(citizen, "file", marker+".txt", []byte(strings.Repeat(marker+" 第一行\n", 3000)))

	err := filepath.WalkDir(h.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.Contains(path, marker) {
			t.Errorf("path %s contains the marker", path)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(raw, []byte(marker)) {
			t.Errorf("file %s contains the marker in plain form", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDownloadAccess(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	h.createAccount("wang", "王强", auth.RoleSupervisor)
	_, owner := h.citizen(agent)
	_, other := h.citizen(agent)
	msg := h.uploaded(owner, "file", "户籍证明.pdf", testPDF)
	path := "/attachments/" + msg.Attachment.ID

	staff := h.client()
	h.login(staff, "zhang")
	cases := []struct {
		name   string
		client *http.Client
		want   int
	}{
		{"own citizen", owner, http.StatusOK},
		{"other citizen", other, http.StatusNotFound},
		{"no cookie", h.client(), http.StatusUnauthorized},
		{"staff", staff, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.get(tc.client, path).status; got != tc.want {
				t.Errorf("got status %d, want %d", got, tc.want)
			}
		})
	}
}

func TestDownloadRange(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	_, citizen := h.citizen(agent)
	msg := h.uploaded(citizen, "file", "a.pdf", testPDF)

	resp := h.do(citizen, http.MethodGet, "/attachments/"+msg.Attachment.ID, "", "", "Range", "bytes=10-19")
	if resp.status != http.StatusPartialContent {
		t.Fatalf("got status %d, want 206", resp.status)
	}
	if resp.body != string(testPDF[10:20]) {
		t.Errorf("got %q, want %q", resp.body, testPDF[10:20])
	}
	if got, want := resp.header.Get("Content-Range"), fmt.Sprintf("bytes 10-19/%d", len(testPDF)); got != want {
		t.Errorf("got Content-Range %q, want %q", got, want)
	}
}

func TestSeatUploadAndRecall(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	h.createAccount("wang", "王强", auth.RoleSupervisor)
	c, citizen := h.citizen(agent)

	staff := h.client()
	token := h.login(staff, "zhang")
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 640, 480))); err != nil {
		t.Fatal(err)
	}
	path := "/seat/api/attachments?" + url.Values{"conversation": {string(c.ID)}, "kind": {"image"}, "name": {"宗地图.png"}}.Encode()

	if resp := h.do(staff, http.MethodPost, path, "image/png", img.String()); resp.status != http.StatusForbidden {
		t.Errorf("without the CSRF header: got status %d, want 403", resp.status)
	}
	resp := h.do(staff, http.MethodPost, path, "image/png", img.String(), auth.CSRFHeader, token)
	if resp.status != http.StatusCreated {
		t.Fatalf("seat upload: got status %d, want 201; body %s", resp.status, resp.body)
	}
	var reply uploadReply
	decodeBody(t, resp.body, &reply)
	att := reply.Message.Attachment
	if att.Width != 640 || len(att.Renditions) != 1 || att.Renditions[0] != attach.RenditionPreview {
		t.Errorf("got attachment %+v, want a 640-wide image with a preview", att)
	}
	preview := h.get(citizen, "/attachments/"+att.ID+"?r=preview")
	if preview.status != http.StatusOK || preview.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("preview: got status %d type %q, want 200 image/jpeg", preview.status, preview.header.Get("Content-Type"))
	}

	if _, err := h.conv.Recall(context.Background(), c.ID, reply.Seq, conversation.Agent{ID: agent.ID, Name: agent.DisplayName}); err != nil {
		t.Fatal(err)
	}
	supervisor := h.client()
	h.login(supervisor, "wang")
	for _, tc := range []struct {
		name   string
		client *http.Client
		want   int
	}{
		{"citizen after recall", citizen, http.StatusNotFound},
		{"agent after recall", staff, http.StatusNotFound},
		{"supervisor after recall", supervisor, http.StatusOK},
	} {
		if got := h.get(tc.client, "/attachments/"+att.ID).status; got != tc.want {
			t.Errorf("%s: got status %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestSeatUploadNeedsOwnership(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	h.createAccount("lihua", "李华", auth.RoleAgent)
	c, _ := h.citizen(agent)

	staff := h.client()
	token := h.login(staff, "lihua")
	path := "/seat/api/attachments?" + url.Values{"conversation": {string(c.ID)}, "kind": {"file"}, "name": {"a.pdf"}}.Encode()
	if resp := h.do(staff, http.MethodPost, path, "application/pdf", string(testPDF), auth.CSRFHeader, token); resp.status != http.StatusForbidden {
		t.Errorf("another seat's conversation: got status %d, want 403", resp.status)
	}
	if n := blobCount(t, h.store.Dir()); n != 0 {
		t.Errorf("got %d blob files, want 0", n)
	}
}

func TestConversationFilesList(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	c, citizen := h.citizen(agent)
	h.uploaded(citizen, "file", "申请表.pdf", testPDF)

	blob, err := h.store.CreateBlob()
	if err != nil {
		t.Fatal(err)
	}
	blob.Write([]byte("not really webm"))
	if err := blob.Commit(); err != nil {
		t.Fatal(err)
	}
	rec, err := h.store.AddRecord(context.Background(), attach.Meta{
		Conversation: string(c.ID), Kind: attach.KindRecording, Name: "通话录音.webm", Type: attach.TypeWebMAV,
		Size: blob.Size(), Blob: blob.ID(), Duration: 95 * time.Second, Tracks: 4,
	})
	if err != nil {
		t.Fatal(err)
	}

	staff := h.client()
	h.login(staff, "zhang")
	resp := h.get(staff, "/seat/api/conversations/"+string(c.ID)+"/attachments")
	if resp.status != http.StatusOK {
		t.Fatalf("got status %d, want 200", resp.status)
	}
	var reply conversationFilesReply
	decodeBody(t, resp.body, &reply)
	if len(reply.Attachments) != 1 || reply.Attachments[0].Name != "申请表.pdf" || reply.Attachments[0].Kind != conversation.KindFile {
		t.Errorf("got attachments %+v, want the one PDF", reply.Attachments)
	}
	if len(reply.Recordings) != 1 || reply.Recordings[0].ID != string(rec.ID) || reply.Recordings[0].DurationMS != 95000 {
		t.Errorf("got recordings %+v, want %s of 95 s", reply.Recordings, rec.ID)
	}

	if got := h.get(staff, "/attachments/"+string(rec.ID)).status; got != http.StatusOK {
		t.Errorf("staff playing the recording: got status %d, want 200", got)
	}
	if got := h.get(citizen, "/attachments/"+string(rec.ID)).status; got != http.StatusNotFound {
		t.Errorf("citizen playing the recording: got status %d, want 404", got)
	}
	if got := h.get(citizen, "/seat/api/conversations/"+string(c.ID)+"/attachments").status; got != http.StatusUnauthorized {
		t.Errorf("citizen listing: got status %d, want 401", got)
	}
}

func TestCitizenUploadWaitsForStaff(t *testing.T) {
	h := newAttachHarness(t)
	c, token, err := h.conv.Start(context.Background(), conversation.StartRequest{Channel: "web", Topic: "排队"})
	if err != nil {
		t.Fatal(err)
	}
	client := h.client()
	u, _ := url.Parse(h.srv.URL)
	client.Jar.SetCookies(u, []*http.Cookie{{Name: citizenCookie, Value: conversation.CookieValue(c.ID, token), Path: "/"}})

	resp := h.upload(client, "file", "材料.pdf", testPDF)
	if resp.status != http.StatusConflict {
		t.Fatalf("upload while queued: got %d, want 409; body %s", resp.status, resp.body)
	}
	if !strings.Contains(resp.body, msgUploadQueued) {
		t.Errorf("upload while queued: got %s, want %q", resp.body, msgUploadQueued)
	}
	if metas, err := h.store.List(context.Background(), string(c.ID), attach.KindUnknown); err != nil || len(metas) != 0 {
		t.Errorf("files after the refused upload: got %d (%v), want none", len(metas), err)
	}
}

func TestCitizenUploadQuota(t *testing.T) {
	h := newAttachHarness(t, func(l *AttachmentLimits) { l.MaxCitizenBytes = 3 * int64(len(testPDF)) })
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	_, client := h.citizen(agent)

	for i := range 3 {
		h.uploaded(client, "file", fmt.Sprintf("材料%d.pdf", i+1), testPDF)
	}
	resp := h.upload(client, "file", "材料4.pdf", testPDF)
	if resp.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("upload past the conversation's quota: got %d, want 413; body %s", resp.status, resp.body)
	}
	if !strings.Contains(resp.body, msgCitizenQuota) {
		t.Errorf("quota reply: got %s, want %q", resp.body, msgCitizenQuota)
	}
}

// TestCitizenUploadQuotaCountsInFlight reserves more uploads than the
// quota holds while none has finished: the ones over it are refused at
// once, rather than all passing the check before any is stored, and a
// released reservation frees its room.
func TestCitizenUploadQuotaCountsInFlight(t *testing.T) {
	size := int64(len(testPDF))
	h := newAttachHarness(t, func(l *AttachmentLimits) { l.MaxCitizenBytes = 3 * size })
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	c, _ := h.citizen(agent)
	reserve := func(length int64) (func(), error) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/attachments", nil)
		r.ContentLength = length
		return h.web.reserveCitizenQuota(r, c.ID)
	}

	var releases []func()
	for i := range 3 {
		release, err := reserve(size)
		if err != nil {
			t.Fatalf("reservation %d within the quota: %v", i+1, err)
		}
		releases = append(releases, release)
	}
	var ae *appError
	if _, err := reserve(size); !errors.As(err, &ae) || ae.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("fourth reservation in flight: got %v, want 413", err)
	}
	if _, err := reserve(-1); err == nil {
		t.Fatal("a reservation of unknown length over a full quota: got accepted, want 413")
	}
	releases[0]()
	if release, err := reserve(size); err != nil {
		t.Errorf("after one release: got %v, want room for one more", err)
	} else {
		release()
	}
	for _, release := range releases[1:] {
		release()
	}
	h.web.uploadsMu.Lock()
	left := len(h.web.uploadsInFlight)
	h.web.uploadsMu.Unlock()
	if left != 0 {
		t.Errorf("reservations left after every release: got %d conversations, want 0", left)
	}
}

// TestStaffReadsAudited opens the 留言 list and a citizen's file as staff:
// both reach the audit trail, the file by its id and size, not its name.
func TestStaffReadsAudited(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	c, citizen := h.citizen(agent)
	msg := h.uploaded(citizen, "file", "王五的户口本.pdf", testPDF)

	staff := h.client()
	h.login(staff, "zhang")
	if resp := h.get(staff, "/seat/messages?page=1"); resp.status != http.StatusOK {
		t.Fatalf("留言 list: got %d, want 200", resp.status)
	}
	if resp := h.get(staff, "/attachments/"+msg.Attachment.ID); resp.status != http.StatusOK {
		t.Fatalf("download: got %d, want 200", resp.status)
	}
	if resp := h.get(citizen, "/attachments/"+msg.Attachment.ID); resp.status != http.StatusOK {
		t.Fatalf("citizen download: got %d, want 200", resp.status)
	}

	entries, _, err := h.audit.List(context.Background(), audit.Filter{Group: "history"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("history entries: got %+v, want the file and the list, staff only", entries)
	}
	file, list := entries[0], entries[1]
	if file.Action != audit.FileOpened || file.ActorID != agent.ID || file.Target != string(c.ID) || !strings.Contains(file.Detail, msg.Attachment.ID) {
		t.Errorf("file entry: got %+v, want 张敏 opening %s of %s", file, msg.Attachment.ID, c.ID)
	}
	if strings.Contains(file.Detail, "王五") {
		t.Errorf("file entry %q names the file, want only its id and size", file.Detail)
	}
	if list.Action != audit.MessagesViewed || list.Target != "第 1 页" {
		t.Errorf("list entry: got %+v, want the first page of the 留言 list", list)
	}
}
