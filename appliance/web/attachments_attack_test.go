package web

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"wenban/appliance/attach/container"
	"wenban/appliance/auth"
)

func TestDownloadWithoutSessionHidesIDs(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	_, citizen := h.citizen(agent)
	msg := h.uploaded(citizen, "file", "户籍证明.pdf", testPDF)

	anonymous := h.client()
	existing := h.get(anonymous, "/attachments/"+msg.Attachment.ID)
	missing := h.get(anonymous, "/attachments/000000000000000000000000")
	if existing.status != http.StatusUnauthorized {
		t.Errorf("existing id without a session: got status %d, want 401", existing.status)
	}
	if missing.status != existing.status || missing.body != existing.body {
		t.Errorf("missing id without a session: got %d %s, want the same reply as for an existing id (%d %s)",
			missing.status, missing.body, existing.status, existing.body)
	}
}

func TestDownloadRanges(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	_, citizen := h.citizen(agent)
	msg := h.uploaded(citizen, "file", "a.pdf", testPDF)
	size := len(testPDF)

	cases := []struct {
		name, header string
		status       int
		body         string
	}{
		{"suffix", "bytes=-5", http.StatusPartialContent, string(testPDF[size-5:])},
		{"open end", fmt.Sprintf("bytes=%d-", size-3), http.StatusPartialContent, string(testPDF[size-3:])},
		{"end past the file", fmt.Sprintf("bytes=%d-%d", size-2, size+100), http.StatusPartialContent, string(testPDF[size-2:])},
		{"start past the file", fmt.Sprintf("bytes=%d-", size+10), http.StatusRequestedRangeNotSatisfiable, ""},
		{"two ranges", "bytes=0-0,10-10", http.StatusOK, string(testPDF)},
		{"overlapping ranges", "bytes=0-99,50-149", http.StatusOK, string(testPDF)},
		{"ranges in two headers", "", http.StatusOK, string(testPDF)},
		{"not bytes", "lines=1-2", http.StatusRequestedRangeNotSatisfiable, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, h.srv.URL+"/attachments/"+msg.Attachment.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.header != "" {
				req.Header.Set("Range", tc.header)
			} else {
				req.Header.Add("Range", "bytes=0-0")
				req.Header.Add("Range", "bytes=65536-65536")
			}
			resp, err := citizen.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			body.ReadFrom(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("got status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.body != "" && body.String() != tc.body {
				t.Errorf("got %d bytes %q, want %d bytes", body.Len(), truncate(body.String(), 40), len(tc.body))
			}
			if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "multipart/") {
				t.Errorf("got Content-Type %q, want no multipart reply", ct)
			}
		})
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// pngHeaderOnly is a PNG whose IHDR chunk claims width by height and
// whose pixel data is missing: enough for image.DecodeConfig.
func pngHeaderOnly(width, height uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, width)
	ihdr = binary.BigEndian.AppendUint32(ihdr, height)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(ihdr)))
	chunk = append(chunk, "IHDR"...)
	chunk = append(chunk, ihdr...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append([]byte("\x89PNG\r\n\x1a\n"), chunk...)
}

// voiceWebM is a WebM/Opus voice message of the given number of 20 ms
// packets.
func voiceWebM(t *testing.T, packets int) []byte {
	t.Helper()
	head := container.OpusHead{Channels: 1, PreSkip: 312, InputSampleRate: 48000}
	track := container.Track{Number: 1, Type: container.TrackAudio, CodecID: "A_OPUS",
		CodecPrivate: head.Bytes(), SampleRate: 48000, Channels: 1}
	var buf bytes.Buffer
	w, err := container.NewWebMWriter(&buf, []container.Track{track}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range packets {
		f := container.Frame{Track: 1, Time: time.Duration(i) * 20 * time.Millisecond, Keyframe: true,
			Data: append([]byte{0xf8}, bytes.Repeat([]byte{byte(i)}, 20)...)}
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUploadErrorsSayWhatToDo(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	_, citizen := h.citizen(agent)

	zip := append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0}, 600)...)
	cases := []struct {
		name, kind, file string
		body             []byte
		status           int
		message          string
	}{
		{"file over the limit", "file", "a.txt", bytes.Repeat([]byte("a"), testFileLimit+1),
			http.StatusRequestEntityTooLarge, "文件超过 1 MB 的大小上限，请压缩后再发送。"},
		{"pdf as an image", "image", "a.png", testPDF, http.StatusUnsupportedMediaType, msgImageTypeOnly},
		{"file type off the list", "file", "a.zip", zip, http.StatusUnsupportedMediaType,
			"暂不支持发送该类型的文件。可发送的类型：PDF、文本文件、图片。"},
		{"image of 50 megapixels", "image", "a.png", pngHeaderOnly(10000, 5000), http.StatusUnprocessableEntity, msgImageTooManyPels},
		{"broken image", "image", "a.png", pngHeaderOnly(100, 100), http.StatusUnprocessableEntity, msgImageInvalid},
		{"voice over a minute", "voice", "语音.webm", voiceWebM(t, 3100), http.StatusUnprocessableEntity,
			"语音超过 60 秒，请分段录制后再发送。"},
		{"broken voice", "voice", "语音.webm", voiceWebM(t, 50)[:300], http.StatusUnprocessableEntity, msgVoiceInvalid},
		{"unknown kind", "video", "a.pdf", testPDF, http.StatusBadRequest, msgBadUploadKind},
		{"empty voice", "voice", "语音.webm", nil, http.StatusBadRequest, "语音内容为空，请重新选择或录制。"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := h.upload(citizen, tc.kind, tc.file, tc.body)
			if resp.status != tc.status {
				t.Errorf("got status %d, want %d", resp.status, tc.status)
			}
			var reply errorBody
			decodeBody(t, resp.body, &reply)
			if reply.Error != tc.message {
				t.Errorf("got message %q, want %q", reply.Error, tc.message)
			}
		})
	}
}

// rawUpload sends an upload over a plain connection that declares
// declared bytes, sends only sent of them and then stops writing, as a
// phone that loses its network does. It returns the status and message
// the hub still writes back.
func rawUpload(t *testing.T, h *attachHarness, client *http.Client, declared, sent int) (int, string) {
	t.Helper()
	u, err := url.Parse(h.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var cookies []string
	for _, c := range client.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))

	body := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0"), sent)...)[:sent]
	fmt.Fprintf(conn, "POST /api/v1/attachments?kind=file&name=a.pdf HTTP/1.1\r\nHost: %s\r\n"+
		"Cookie: %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n",
		u.Host, strings.Join(cookies, "; "), declared)
	conn.Write(body)
	conn.(*net.TCPConn).CloseWrite()

	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the reply: %v", err)
	}
	defer resp.Body.Close()
	var reply errorBody
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		t.Fatalf("decoding the reply: %v", err)
	}
	return resp.StatusCode, reply.Error
}

func TestUploadInterruptedByClient(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	_, citizen := h.citizen(agent)

	cases := []struct {
		name     string
		declared int
		sent     int
	}{
		{"inside the first bytes", 100_000, 100},
		{"after the first chunk", 500_000, 70_000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, message := rawUpload(t, h, citizen, tc.declared, tc.sent)
			if status != http.StatusBadRequest || message != msgUploadBroken {
				t.Errorf("got %d %q, want 400 %q", status, message, msgUploadBroken)
			}
			if n := blobCount(t, h.store.Dir()); n != 0 {
				t.Errorf("got %d blob files, want 0", n)
			}
			if strings.Contains(h.logs.String(), `"level":"ERROR"`) {
				t.Errorf("a client that went away was logged as a server error: %s", h.logs.String())
			}
		})
	}
}

func TestDownloadNameMatchesContent(t *testing.T) {
	h := newAttachHarness(t)
	agent := h.createAccount("zhang", "张敏", auth.RoleAgent)
	_, citizen := h.citizen(agent)
	staff := h.client()
	h.login(staff, "zhang")

	cases := []struct {
		name, file, want string
		body             []byte
	}{
		{"script named as batch file", "申请材料.bat", "申请材料.bat.txt", []byte("del /q C:\\*\r\n")},
		{"text named as visual basic script", "说明.vbs", "说明.vbs.txt", []byte("Set shell = CreateObject(\"WScript.Shell\")\r\n")},
		{"pdf named as pdf", "扫描件.pdf", "扫描件.pdf", testPDF},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := h.uploaded(citizen, "file", tc.file, tc.body)
			if msg.Attachment.Name != tc.want {
				t.Errorf("line shows %q, want %q", msg.Attachment.Name, tc.want)
			}
			resp := h.get(staff, "/attachments/"+msg.Attachment.ID+"?download=1")
			_, params, err := mime.ParseMediaType(resp.header.Get("Content-Disposition"))
			if err != nil {
				t.Fatalf("parsing %q: %v", resp.header.Get("Content-Disposition"), err)
			}
			if params["filename"] != tc.want {
				t.Errorf("saved as %q, want %q", params["filename"], tc.want)
			}
		})
	}
}
