package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wenban-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "wenban")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building wenban:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func wenban(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Env = cleanEnv()
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// cleanEnv drops WENBAN_ variables of the caller, which the binary would
// otherwise read as settings.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WENBAN_") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestUnknownCommandExitsWithUsage(t *testing.T) {
	_, errOut, err := wenban(t, "fly")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("got %v, want exit status 2", err)
	}
	if !strings.Contains(errOut, "unknown command") {
		t.Errorf("stderr %q does not name the problem", errOut)
	}
}

// addStaff creates a staff account with the CLI and returns its password.
func addStaff(t *testing.T, data, login string) string {
	t.Helper()
	out, errOut, err := wenban(t, "staff", "add", "--data", data, "--login", login, "--name", "值班客服")
	if err != nil {
		t.Fatalf("staff add: %v %s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	_, password, ok := strings.Cut(lines[len(lines)-1], "初始密码：")
	if !ok || password == "" {
		t.Fatalf("staff add printed no password: %q", out)
	}
	if len(lines) != 2 || !strings.Contains(lines[0], "管理员账号：admin") {
		t.Errorf("first staff add: got %q, want the administrator's login first", out)
	}
	return password
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// postForm posts a form as the page would, with the CSRF token found on
// the page at formPath.
func postForm(t *testing.T, client *http.Client, base, formPath, action string, form url.Values) *http.Response {
	t.Helper()
	resp, err := client.Get(base + formPath)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(page)
	if m == nil {
		t.Fatalf("%s has no CSRF token", formPath)
	}
	form.Set("csrf_token", string(m[1]))

	req, _ := http.NewRequest(http.MethodPost, base+action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// openSeat signs a staff member in through the login form, sets their own
// password as the first login demands, signs in again and opens the seat
// socket with status online.
func openSeat(t *testing.T, base, login, password string) *websocket.Conn {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	signIn := func(pw string) *http.Response {
		return postForm(t, client, base, "/seat/login", "/seat/login", url.Values{"login": {login}, "password": {pw}, "next": {"/seat"}})
	}

	if resp := signIn(password); resp.Request.URL.Path != "/seat/password" {
		t.Fatalf("first login: landed on %s, want the password page", resp.Request.URL.Path)
	}
	own := password + "-own"
	resp := postForm(t, client, base, "/seat/password", "/seat/password", url.Values{
		"old_password": {password}, "new_password": {own}, "confirm_password": {own},
	})
	if resp.Request.URL.Path != "/seat/login" {
		t.Fatalf("password change: landed on %s, want the login page", resp.Request.URL.Path)
	}
	if resp := signIn(own); resp.Request.URL.Path != "/seat" {
		t.Fatalf("second login: landed on %s, want the workbench", resp.Request.URL.Path)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws/seat", &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatalf("dialing seat socket: %v", err)
	}
	if err := ws.Write(ctx, websocket.MessageText, []byte(`{"type":"status","status":"online"}`)); err != nil {
		t.Fatal(err)
	}
	for {
		_, raw, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for online status: %v", err)
		}
		if bytes.Contains(raw, []byte(`"status":"online"`)) {
			return ws
		}
	}
}

func TestServePrintsURLsAndDrainsOnSIGTERM(t *testing.T) {
	data := newHubData(t)
	addr := freePort(t)
	password := addStaff(t, data, "duty01")
	cmd := exec.Command(binary, "serve", "--data", data, "--listen", addr)
	cmd.Env = append(cleanEnv(), "WENBAN_HOURS_ALWAYS_OPEN=true")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	lines := make(chan string, 32)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var welcome []string
	deadline := time.After(20 * time.Second)
	for len(welcome) < 4 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited early: %s", stderr.String())
			}
			welcome = append(welcome, l)
		case <-deadline:
			t.Fatalf("no welcome lines; stderr: %s", stderr.String())
		}
	}
	text := strings.Join(welcome, "\n")
	for _, want := range []string{"http://" + addr + "/", "http://" + addr + "/seat", "admin"} {
		if !strings.Contains(text, want) {
			t.Errorf("welcome lacks %q:\n%s", want, text)
		}
	}

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: got %d, want 200", resp.StatusCode)
	}

	// Open a seat and a citizen page's socket, then stop the hub: the page
	// must learn the hub is going away, and the process must exit cleanly.
	seat := openSeat(t, "http://"+addr, "duty01", password)
	defer seat.CloseNow()
	ws := openCitizenSocket(t, "http://"+addr)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := ws.Read(ctx); err != nil {
			if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
				t.Errorf("socket close status: got %v (%v), want going away", got, err)
			}
			break
		}
	}

	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exit: %v; stderr: %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "hub stopped") {
		t.Errorf("log lacks the clean stop line:\n%s", stderr.String())
	}

	// The store was closed cleanly: a tool can open it at once.
	if out, errOut, err := wenban(t, "staff", "list", "--data", data); err != nil || !strings.Contains(out, "admin") {
		t.Errorf("staff list after stop: %v %s %s", err, out, errOut)
	}
}

func openCitizenSocket(t *testing.T, base string) *websocket.Conn {
	t.Helper()
	body := strings.NewReader(`{"channel":"web","topic":"","transcript":[]}`)
	resp, err := http.Post(base+"/api/v1/handoff", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("handoff: got %d, want 201", resp.StatusCode)
	}
	var cookie string
	for _, c := range resp.Cookies() {
		if c.Name == "wenban_citizen" {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		t.Fatal("handoff set no citizen cookie")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h := http.Header{}
	h.Set("Cookie", cookie)
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws/citizen", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ws.Read(ctx); err != nil {
		t.Fatalf("reading hello: %v", err)
	}
	return ws
}

func TestKBImportExportRoundTrip(t *testing.T) {
	data := newHubData(t)
	dir := t.TempDir()

	exported := filepath.Join(dir, "kb.jsonl")
	out, errOut, err := wenban(t, "kb", "export", "--data", data, exported)
	if err != nil {
		t.Fatalf("export: %v %s", err, errOut)
	}
	if !strings.Contains(out, "已导出") {
		t.Errorf("export output %q", out)
	}
	raw, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	shipped := bytes.Count(raw, []byte("\n"))
	if shipped < 150 {
		t.Fatalf("exported %d entries, want the shipped KB of at least 150", shipped)
	}

	small := filepath.Join(dir, "small.csv")
	csv := "\ufeff编号,分类,标准问题,相似问题,答案,所需材料\n" +
		"t-001,测试,测试问题一？,问法一|问法二,测试答案一。,身份证\n" +
		"t-002,测试,测试问题二？,问法三,测试答案二。,\n"
	if err := os.WriteFile(small, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err = wenban(t, "kb", "import", "--data", data, "--replace", small)
	if err != nil {
		t.Fatalf("import --replace: %v %s", err, errOut)
	}
	if !strings.Contains(out, "新增 2 条") || !strings.Contains(out, "共 2 条") {
		t.Errorf("import output %q, want 2 added and 2 in all", out)
	}

	// A bad file changes nothing and names the row.
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("id,category,question,similar,answer\nx-1,测试,问题,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, err = wenban(t, "kb", "import", "--data", data, "--replace", bad)
	if err == nil {
		t.Fatal("bad file imported without error")
	}
	if !strings.Contains(errOut, "2") || !strings.Contains(errOut, "答案") {
		t.Errorf("error %q does not name row 2 and the empty answer", errOut)
	}

	again := filepath.Join(dir, "again.jsonl")
	if _, errOut, err := wenban(t, "kb", "export", "--data", data, again); err != nil {
		t.Fatalf("second export: %v %s", err, errOut)
	}
	raw, _ = os.ReadFile(again)
	var ids []string
	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var e struct{ ID string }
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if strings.Join(ids, ",") != "t-001,t-002" {
		t.Errorf("after the bad import: got ids %v, want t-001,t-002", ids)
	}
}

func TestKBEvalPrintsFigures(t *testing.T) {
	dir := t.TempDir()
	set := filepath.Join(dir, "set.jsonl")
	lines := `{"q":"二手房过户要带什么材料","expect":"bdc-zydj-mm-001"}` + "\n" + `{"q":"明天天气怎么样","expect":"none"}` + "\n"
	if err := os.WriteFile(set, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := wenban(t, "kb", "eval", "--data", newHubData(t), set)
	if err != nil {
		t.Fatalf("eval: %v %s", err, errOut)
	}
	for _, want := range []string{"首位准确率：", "库外问题正确拒答：", "p50", "p99"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
}
