package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"wenban/appliance/auth"
	"wenban/appliance/bot"
	"wenban/appliance/calendar"
	"wenban/appliance/conversation"
	"wenban/appliance/kb"
	"wenban/appliance/policy"
	"wenban/appliance/seal"
	"wenban/appliance/store"
)

// policyEntries cite starter-library articles, one of them in a document
// the starter library marks 已修订.
var policyEntries = []kb.Entry{
	{
		ID: "zjd-001", Category: "宅基地", Question: "农村宅基地如何申请审批",
		Similar: []string{"宅基地怎么申请", "农村建房宅基地审批"},
		Answer:  "向农村集体经济组织提出申请，经公示后报乡镇人民政府审核批准。",
		Basis:   []string{"土地管理法#第六十二条", "土地管理法实施条例#第三十四条"},
	},
	{
		ID: "kyq-001", Category: "矿业权", Question: "采矿权可以转让吗",
		Similar: []string{"采矿权转让怎么办", "矿权过户"},
		Answer:  "经依法批准可以转让采矿权，并办理变更登记。",
		Basis:   []string{"矿产资源法#第六条", "不存在的法#第一条"},
	},
	{
		ID: "ch-001", Category: "测绘", Question: "测绘资质如何申请",
		Similar: []string{"怎么申请测绘资质证书"},
		Answer:  "通过湖南省政务服务网在线提交测绘资质申请。",
	},
}

// newPolicyHarness runs a Server with the starter policy library and an
// engine over policyEntries.
func newPolicyHarness(t *testing.T) (*harness, *policy.Library) {
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
	job, err := policy.NewJob(lib, policy.JobOptions{Schedule: "30 2 * * *"})
	if err != nil {
		t.Fatalf("NewJob: %v", err)
	}
	t.Cleanup(func() { job.Stop(context.Background()) })

	conv, err := conversation.NewService(db, conversation.Options{})
	if err != nil {
		t.Fatalf("starting conversation service: %v", err)
	}
	t.Cleanup(func() { conv.Close() })
	cal, err := calendar.New(calendar.Default())
	if err != nil {
		t.Fatalf("building calendar: %v", err)
	}
	engine, err := bot.New(policyEntries, bot.Options{})
	if err != nil {
		t.Fatalf("building bot engine: %v", err)
	}
	t.Cleanup(func() { engine.Close() })

	h := &harness{t: t, conv: conv, auth: auth.NewService(db, auth.Options{}), engine: engine,
		clock: &clock{now: openTime}, logs: &logBuffer{}}
	deps := Deps{
		Bot:           func() *bot.Engine { return engine },
		Conversations: conv,
		Auth:          h.auth,
		Calendar:      cal,
		Policy:        lib,
		PolicyJob:     job,
		Logger:        slog.New(slog.NewJSONHandler(h.logs, nil)),
		Now:           h.clock.Now,
	}
	h.srv = httptest.NewServer(New(deps).Handler())
	t.Cleanup(h.srv.Close)
	return h, lib
}

func TestAskCarriesCitations(t *testing.T) {
	h, _ := newPolicyHarness(t)
	tests := []struct {
		name     string
		question string
		want     []policy.Citation
	}{
		{"articles in force", "宅基地怎么申请", []policy.Citation{
			{Found: true, DocID: "土地管理法", Title: "中华人民共和国土地管理法",
				DocNumber: "中华人民共和国主席令第三十二号", Article: "第六十二条", Status: "现行有效",
				URL: policy.DocumentURL("土地管理法") + "#art-62"},
			{Found: true, DocID: "土地管理法实施条例", Title: "中华人民共和国土地管理法实施条例",
				DocNumber: "国务院令第743号", Article: "第三十四条", Status: "现行有效",
				URL: policy.DocumentURL("土地管理法实施条例") + "#art-34"},
		}},
		{"amended and missing", "采矿权转让怎么办", []policy.Citation{
			{Found: true, DocID: "矿产资源法", Title: "中华人民共和国矿产资源法（2009年修正）",
				DocNumber: "中华人民共和国主席令第十八号", Article: "第六条", Status: "已修订",
				URL: policy.DocumentURL("矿产资源法") + "#art-6"},
		}},
		{"entry without basis", "怎么申请测绘资质证书", []policy.Citation{}},
		{"no match", "今天天气怎么样", []policy.Citation{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.postJSON(h.client(), "/api/v1/bot/ask", `{"question":"`+tt.question+`"}`)
			if resp.status != http.StatusOK {
				t.Fatalf("ask: got status %d, want 200; body %s", resp.status, resp.body)
			}
			var got struct {
				Matched   bool              `json:"matched"`
				Citations []policy.Citation `json:"citations"`
			}
			decodeBody(t, resp.body, &got)
			if got.Citations == nil {
				t.Fatalf("citations: got null, want a list; body %s", resp.body)
			}
			if len(got.Citations) != len(tt.want) {
				t.Fatalf("citations: got %+v, want %+v", got.Citations, tt.want)
			}
			for i := range tt.want {
				if got.Citations[i] != tt.want[i] {
					t.Errorf("citation %d: got %+v, want %+v", i, got.Citations[i], tt.want[i])
				}
			}
		})
	}
}

func TestAskFormShowsCitations(t *testing.T) {
	h, _ := newPolicyHarness(t)
	c := h.client()
	page := h.get(c, "/")
	form := url.Values{"q": {"采矿权转让怎么办"}, csrfField: {formTokenOf(t, page.body)}}
	resp := h.postForm(c, "/ask", form)
	if resp.status != http.StatusOK {
		t.Fatalf("ask form: got status %d, want 200", resp.status)
	}
	if tag := openTag(resp.body, "citations-block"); tag == "" || isHidden(tag) {
		t.Errorf("citations block: got tag %q, want it shown", tag)
	}
	if !strings.Contains(resp.body, "《中华人民共和国矿产资源法（2009年修正）》第六条") {
		t.Error("page lacks the cited article's title and number")
	}
	if !strings.Contains(resp.body, `data-testid="citation-status">已修订<`) {
		t.Error("page lacks the 已修订 status of the amended law")
	}
}

func TestPolicySearchPage(t *testing.T) {
	h, _ := newPolicyHarness(t)
	c := h.client()
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"two-character word", "?q=" + url.QueryEscape("征收"), []string{`data-testid="policy-hit"`, "<mark>征收</mark>"}},
		{"status filter", "?q=" + url.QueryEscape("采矿") + "&status=" + url.QueryEscape("已修订"),
			[]string{"矿产资源法（2009年修正）", `<option value="已修订" selected`}},
		{"issuer filter", "?issuer=" + url.QueryEscape("湖南省人民代表大会常务委员会"), []string{"湖南省实施《中华人民共和国土地管理法》办法"}},
		{"no query lists documents", "", []string{`data-testid="policy-document"`}},
		{"no match", "?q=" + url.QueryEscape("公积金"), []string{`data-testid="policy-empty"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.get(c, "/policy"+tt.query)
			if resp.status != http.StatusOK {
				t.Fatalf("GET /policy%s: got status %d, want 200", tt.query, resp.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(resp.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}

	filtered := h.get(c, "/policy?q="+url.QueryEscape("登记")+"&status="+url.QueryEscape("已修订"))
	if strings.Contains(filtered.body, "不动产登记暂行条例</a>") {
		t.Error("status filter 已修订: page lists a document in force")
	}
}

func TestPolicySearchAPI(t *testing.T) {
	h, _ := newPolicyHarness(t)
	resp := h.get(h.client(), "/api/v1/policy/search?q="+url.QueryEscape("宅基地")+"&issuer="+url.QueryEscape("全国人民代表大会常务委员会"))
	if resp.status != http.StatusOK {
		t.Fatalf("search API: got status %d, want 200", resp.status)
	}
	var got policySearchReply
	decodeBody(t, resp.body, &got)
	if got.Total == 0 || len(got.Hits) == 0 {
		t.Fatalf("search API: got %d hits, want some", got.Total)
	}
	for _, hit := range got.Hits {
		if hit.Issuer != "全国人民代表大会常务委员会" {
			t.Errorf("hit %s: got issuer %s, want the filtered one", hit.DocID, hit.Issuer)
		}
	}
	if !strings.Contains(got.Hits[0].Snippet, "<mark>") {
		t.Errorf("snippet: got %q, want highlight tags", got.Hits[0].Snippet)
	}
	if len(got.Facets["status"]) == 0 {
		t.Error("facets: got no status counts, want some")
	}

	long := h.get(h.client(), "/api/v1/policy/search?q="+url.QueryEscape(strings.Repeat("地", 101)))
	if long.status != http.StatusBadRequest {
		t.Errorf("over-long query: got status %d, want 400", long.status)
	}
}

func TestPolicyDocumentPage(t *testing.T) {
	h, _ := newPolicyHarness(t)
	c := h.client()
	resp := h.get(c, policy.DocumentURL("土地管理法"))
	if resp.status != http.StatusOK {
		t.Fatalf("document page: got status %d, want 200", resp.status)
	}
	for _, want := range []string{`id="art-62"`, "第六十二条", "中华人民共和国主席令第三十二号", "以正式发布文本为准"} {
		if !strings.Contains(resp.body, want) {
			t.Errorf("document page lacks %q", want)
		}
	}

	for _, path := range []string{policy.DocumentURL("没有这个文件"), policy.DocumentURL("土地管理法") + "?rev=99", policy.DocumentURL("土地管理法") + "?rev=x"} {
		if got := h.get(c, path).status; got != http.StatusNotFound {
			t.Errorf("GET %s: got status %d, want 404", path, got)
		}
	}
}

func TestPolicyAdminPage(t *testing.T) {
	h, _ := newPolicyHarness(t)
	h.createAccount("admin1", "管理员", auth.RoleAdmin)
	h.createAccount("agent1", "坐席", auth.RoleAgent)

	agent := h.client()
	h.login(agent, "agent1")
	if got := h.get(agent, "/seat/admin/policy").status; got != http.StatusForbidden {
		t.Errorf("admin page for an agent: got status %d, want 403", got)
	}

	admin := h.client()
	csrf := h.login(admin, "admin1")
	page := h.get(admin, "/seat/admin/policy")
	if page.status != http.StatusOK {
		t.Fatalf("admin page: got status %d, want 200", page.status)
	}
	for _, want := range []string{`data-testid="policy-report"`, "首次启动", "内置起始库", "每天 2:30（北京时间）自动检查更新"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("admin page lacks %q", want)
		}
	}

	versions := h.get(admin, "/seat/admin/policy/doc/"+url.PathEscape("土地管理法"))
	if versions.status != http.StatusOK || !strings.Contains(versions.body, `data-testid="policy-version"`) {
		t.Errorf("versions page: got status %d, want 200 with a version row", versions.status)
	}

	noToken := h.postForm(admin, "/seat/admin/policy/run", url.Values{})
	if noToken.status != http.StatusForbidden {
		t.Errorf("run without CSRF token: got status %d, want 403", noToken.status)
	}
	run := h.postForm(admin, "/seat/admin/policy/run", url.Values{csrfField: {csrf}})
	if run.status != http.StatusSeeOther {
		t.Fatalf("run: got status %d, want 303", run.status)
	}
	if loc := run.header.Get("Location"); !strings.HasPrefix(loc, "/seat/admin/policy?done=") {
		t.Errorf("run redirect: got %q, want the admin page with a notice", loc)
	}
}
