package web

import (
	"bytes"
	"context"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"wenban/appliance/auth"
	"wenban/appliance/bot"
	"wenban/appliance/calendar"
	"wenban/appliance/conversation"
	"wenban/appliance/kb"
	"wenban/appliance/learn"
	"wenban/appliance/seal"
	"wenban/appliance/store"
)

// kbHarness is a harness whose server also runs the knowledge-base pages
// on a real learning loop.
type kbHarness struct {
	*harness
	db     *store.DB
	learn  *learn.Service
	engine atomic.Pointer[bot.Engine]
}

func newKBHarness(t *testing.T) *kbHarness {
	t.Helper()
	return newKBHarnessWith(t, nil)
}

// newKBHarnessWith serves the pages from wrap's knowledge base when wrap
// is set, so a test can act between the steps of a request.
func newKBHarnessWith(t *testing.T, wrap func(*learn.Service) KnowledgeBase) *kbHarness {
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
	if _, err := kb.Save(db, testEntries, true, "test.csv", openTime); err != nil {
		t.Fatal(err)
	}

	conv, err := conversation.NewService(db, conversation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conv.Close() })
	cal, err := calendar.New(calendar.Default())
	if err != nil {
		t.Fatal(err)
	}

	h := &harness{t: t, conv: conv, auth: auth.NewService(db, auth.Options{}), clock: &clock{now: openTime}, logs: &logBuffer{}}
	kh := &kbHarness{harness: h, db: db}
	engine, err := bot.New(testEntries, bot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kh.engine.Store(engine)
	t.Cleanup(func() { kh.engine.Load().Close() })
	kh.learn, err = learn.New(learn.Options{
		DB: db, Transcripts: conv,
		Live: kh.engine.Load,
		Swap: func(e *bot.Engine) { kh.engine.Swap(e).Close() },
		Now:  h.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}

	deps := Deps{
		Bot:           kh.engine.Load,
		Conversations: conv,
		Auth:          h.auth,
		Calendar:      cal,
		Logger:        slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:           h.clock.Now,
		KB:            kh.learn,
	}
	if wrap != nil {
		deps.KB = wrap(kh.learn)
	}
	h.srv = httptest.NewServer(New(deps).Handler())
	t.Cleanup(h.srv.Close)
	return kh
}

// upload posts a multipart import form with one file.
func (h *kbHarness) upload(c *http.Client, token, name, content string, fields map[string]string) response {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if token != "" {
		_ = mw.WriteField(csrfField, token)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		h.t.Fatal(err)
	}
	_, _ = fw.Write([]byte(content))
	if err := mw.Close(); err != nil {
		h.t.Fatal(err)
	}
	return h.do(c, http.MethodPost, "/seat/admin/kb/import", mw.FormDataContentType(), body.String())
}

func (h *kbHarness) draftRev() uint64 {
	h.t.Helper()
	d, err := kb.LoadDraft(h.db)
	if err != nil {
		h.t.Fatal(err)
	}
	return d.State.Rev
}

func TestKBPagesRequireAdmin(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("agent1", "张敏", auth.RoleAgent)
	c := h.client()
	token := h.login(c, "agent1")

	tests := []struct {
		name string
		do   func() response
	}{
		{"entry list", func() response { return h.get(c, "/seat/admin/kb") }},
		{"proposals", func() response { return h.get(c, "/seat/admin/kb/proposals") }},
		{"export", func() response { return h.get(c, "/seat/admin/kb/export?format=csv") }},
		{"publish", func() response {
			return h.postForm(c, "/seat/admin/kb/publish", url.Values{csrfField: {token}, "name": {"x"}, "rev": {"0"}})
		}},
		{"retire", func() response {
			return h.postForm(c, "/seat/admin/kb/entries/bdc-001/retire", url.Values{csrfField: {token}})
		}},
		{"import", func() response { return h.upload(c, token, "kb.csv", "id,question,answer\nx,问,答\n", nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.do(); got.status != http.StatusForbidden {
				t.Errorf("got status %d, want 403", got.status)
			}
		})
	}
	if rev := h.draftRev(); rev != 0 {
		t.Errorf("draft rev after rejected requests: got %d, want 0", rev)
	}
}

func TestKBPostsRequireCSRF(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := h.client()
	h.login(c, "admin1")

	tests := []struct {
		name string
		do   func() response
	}{
		{"create entry", func() response {
			return h.postForm(c, "/seat/admin/kb/entries", url.Values{"id": {"n-1"}, "question": {"问"}, "answer": {"答"}})
		}},
		{"approve", func() response { return h.postForm(c, "/seat/admin/kb/proposals/x/approve", url.Values{}) }},
		{"wrong token", func() response {
			return h.postForm(c, "/seat/admin/kb/categories", url.Values{csrfField: {"forged"}, "name": {"林业"}})
		}},
		{"import", func() response { return h.upload(c, "", "kb.csv", "id,question,answer\nx,问,答\n", nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.do(); got.status != http.StatusForbidden {
				t.Errorf("got status %d, want 403", got.status)
			}
		})
	}
	if rev := h.draftRev(); rev != 0 {
		t.Errorf("draft rev after rejected posts: got %d, want 0", rev)
	}
}

func TestKBImportBadFileShowsRows(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := h.client()
	token := h.login(c, "admin1")
	before := h.draftRev()

	file := "id,category,question,similar,answer,materials\n" +
		"bdc-001,不动产登记,办理不动产登记需要哪些材料,,请携带身份证明。,\n" +
		"bdc-002,不动产登记,,,没有标准问题,\n" +
		"bdc-001,不动产登记,重复编号,,答案,\n" +
		"bdc-004,不动产登记,没有答案,,,\n"
	got := h.upload(c, token, "bad.csv", file, map[string]string{"mode": "import", "replace": "1"})

	if got.status != http.StatusBadRequest {
		t.Fatalf("status: got %d, want 400", got.status)
	}
	for _, want := range []string{"第 3 行", "标准问题为空", "第 4 行", "与第 2 行重复", "第 5 行", "答案为空", "草稿保持不变"} {
		if !strings.Contains(got.body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := strings.Count(got.body, `data-testid="kb-import-problem"`); n != 3 {
		t.Errorf("report rows: got %d, want 3", n)
	}
	if rev := h.draftRev(); rev != before {
		t.Errorf("draft rev after a bad import: got %d, want %d", rev, before)
	}
}

func TestKBImportCheckThenImport(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := h.client()
	token := h.login(c, "admin1")

	file := "id,category,question,similar,answer,materials\n" +
		"ch-002,测绘,测绘成果怎么申请使用,测绘成果调用,向测绘地理信息主管部门提出申请。,单位介绍信|申请表\n"
	check := h.upload(c, token, "new.csv", file, map[string]string{"mode": "check"})
	if check.status != http.StatusOK || !strings.Contains(check.body, "检查通过，共 1 条") {
		t.Fatalf("check: got status %d, want 200 with the count", check.status)
	}
	if rev := h.draftRev(); rev != 0 {
		t.Errorf("draft rev after a check: got %d, want 0", rev)
	}

	imported := h.upload(c, token, "new.csv", file, map[string]string{"mode": "import"})
	if imported.status != http.StatusOK || !strings.Contains(imported.body, "新增 1 条") {
		t.Fatalf("import: got status %d, want 200 with 新增 1 条", imported.status)
	}
	d, _ := kb.LoadDraft(h.db)
	if it, ok := d.Item("ch-002"); !ok || len(it.Materials) != 2 {
		t.Errorf("draft entry ch-002: got %+v, %v; want it with two materials", it, ok)
	}
}

func TestKBCreatePublishExport(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := h.client()
	token := h.login(c, "admin1")

	created := h.postForm(c, "/seat/admin/kb/entries", url.Values{
		csrfField: {token}, "id": {"ch-009"}, "category": {"测绘"},
		"question": {"地图审核怎么申请"}, "similar": {"审图号怎么办\r\n地图送审"},
		"answer": {"向省自然资源厅提交地图审核申请。"}, "materials": {"地图样图\n申请表"},
	})
	if created.status != http.StatusSeeOther {
		t.Fatalf("create: got status %d, want 303; body %s", created.status, created.body)
	}
	list := h.get(c, "/seat/admin/kb?q=地图")
	if !strings.Contains(list.body, `data-entry-id="ch-009"`) || strings.Contains(list.body, `data-entry-id="bdc-001"`) {
		t.Errorf("search for 地图: want only ch-009 listed")
	}

	d, _ := kb.LoadDraft(h.db)
	published := h.postForm(c, "/seat/admin/kb/publish", url.Values{
		csrfField: {token}, "name": {"新增地图审核"}, "rev": {strconv.FormatUint(d.State.Rev, 10)},
	})
	if published.status != http.StatusOK || !strings.Contains(published.body, "新版本已发布") {
		t.Fatalf("publish: got status %d, want 200 with the notice; body %s", published.status, published.body)
	}
	if res := h.engine.Load().Ask("审图号怎么办"); res.FAQID != "ch-009" {
		t.Errorf("bot after publish: got %q, want ch-009", res.FAQID)
	}

	export := h.get(c, "/seat/admin/kb/export?of=live&format=csv")
	if export.status != http.StatusOK || !strings.Contains(export.body, "地图审核怎么申请") {
		t.Errorf("export: got status %d, want 200 with the new entry", export.status)
	}
	entries, err := kb.Decode(strings.NewReader(export.body), kb.FormatCSV)
	if err != nil || len(entries) != 4 {
		t.Errorf("exported file: got %d entries, %v; want 4 that decode", len(entries), err)
	}

	versions := h.get(c, "/seat/admin/kb/versions")
	for _, want := range []string{"新增地图审核", "王敏", "新建条目：地图审核怎么申请"} {
		if !strings.Contains(versions.body, want) {
			t.Errorf("version page lacks %q", want)
		}
	}
}

func TestKBClusterToEntry(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := h.client()
	token := h.login(c, "admin1")
	for _, q := range []string{"林权证怎么办理", "林权证去哪里办", "林权证怎么办理"} {
		if err := h.conv.RecordQuestion(context.Background(), conversation.QuestionRecord{Question: q}); err != nil {
			t.Fatal(err)
		}
	}

	page := h.get(c, "/seat/admin/kb/clusters")
	m := regexp.MustCompile(`data-cluster-id="([0-9a-f]+)"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("clusters page lists no cluster")
	}
	if !strings.Contains(page.body, `<span data-testid="kb-cluster-count">3</span>`) {
		t.Errorf("clusters page does not count the 3 questions")
	}

	form := h.get(c, "/seat/admin/kb/new?cluster="+m[1])
	if !strings.Contains(form.body, `value="林权证怎么办理"`) || !strings.Contains(form.body, "林权证去哪里办</textarea>") {
		t.Errorf("new-entry form is not filled from the cluster")
	}
	created := h.postForm(c, "/seat/admin/kb/entries", url.Values{
		csrfField: {token}, "cluster": {m[1]}, "id": {"lq-001"}, "question": {"林权证怎么办理"},
		"similar": {"林权证去哪里办"}, "answer": {"林权登记请到不动产登记窗口办理。"},
	})
	if created.status != http.StatusSeeOther {
		t.Fatalf("create from cluster: got status %d, want 303; body %s", created.status, created.body)
	}
	if after := h.get(c, "/seat/admin/kb/clusters"); !strings.Contains(after.body, `data-testid="kb-clusters-empty"`) {
		t.Errorf("cluster still listed after its entry was created")
	}
}

func TestKBPublishRejectedShowsFigures(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := h.client()
	token := h.login(c, "admin1")

	// An edit that strips the entry's phrasings, keeping only the one the
	// held-out gate asks, makes that question go wrong.
	edited := h.postForm(c, "/seat/admin/kb/entries/bdc-002", url.Values{
		csrfField: {token}, "category": {"不动产登记"}, "question": {"测试用条目"},
		"similar": {"无关问法\n不动产登记几天办结"}, "answer": {"材料齐全的，一般 5 个工作日内办结。"},
	})
	if edited.status != http.StatusSeeOther {
		t.Fatalf("edit: got status %d, want 303; body %s", edited.status, edited.body)
	}
	live := h.engine.Load()
	got := h.postForm(c, "/seat/admin/kb/publish", url.Values{
		csrfField: {token}, "name": {"改坏时限条目"}, "rev": {strconv.FormatUint(h.draftRev(), 10)},
	})
	if got.status != http.StatusBadRequest {
		t.Fatalf("publish: got status %d, want 400", got.status)
	}
	for _, want := range []string{"已拒绝发布", "留出的条目问法", "答对率", "无关问题拒答率", "原来答对，新模型答错", "应为条目 bdc-002", "处理办法"} {
		if !strings.Contains(got.body, want) {
			t.Errorf("rejection page lacks %q", want)
		}
	}
	if h.engine.Load() != live {
		t.Errorf("rejected publish swapped the engine")
	}

	stale := h.postForm(c, "/seat/admin/kb/publish", url.Values{csrfField: {token}, "name": {"x"}, "rev": {"0"}})
	if stale.status != http.StatusBadRequest || !strings.Contains(stale.body, "草稿已被他人修改") {
		t.Errorf("publish of a stale form: got status %d, want 400 with the draft-changed message", stale.status)
	}
}

func TestKBCategories(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := h.client()
	token := h.login(c, "admin1")

	tests := []struct {
		name       string
		path       string
		category   string
		wantStatus int
		wantBody   string
	}{
		{"add", "/seat/admin/kb/categories", "林业", http.StatusSeeOther, ""},
		{"add a duplicate", "/seat/admin/kb/categories", "林业", http.StatusBadRequest, "不能与已有分类重复"},
		{"delete a used one", "/seat/admin/kb/categories/delete", "测绘", http.StatusBadRequest, "仍有知识条目使用该分类"},
		{"delete an unused one", "/seat/admin/kb/categories/delete", "林业", http.StatusSeeOther, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.postForm(c, tt.path, url.Values{csrfField: {token}, "name": {tt.category}})
			if got.status != tt.wantStatus {
				t.Errorf("status: got %d, want %d", got.status, tt.wantStatus)
			}
			if !strings.Contains(got.body, tt.wantBody) {
				t.Errorf("body lacks %q", tt.wantBody)
			}
		})
	}
	page := h.get(c, "/seat/admin/kb/categories")
	if n := strings.Count(page.body, `data-testid="kb-category-name"`); n != 2 {
		t.Errorf("categories listed: got %d, want the 2 in use", n)
	}
}

func TestKBEntryIDWithSlash(t *testing.T) {
	h := newKBHarness(t)
	h.createAccount("admin1", "王敏", auth.RoleAdmin)
	c := h.client()
	token := h.login(c, "admin1")

	created := h.postForm(c, "/seat/admin/kb/entries", url.Values{
		csrfField: {token}, "id": {"ch/010"}, "question": {"测绘成果汇交怎么办"}, "answer": {"按规定向主管部门汇交。"},
	})
	if created.status != http.StatusSeeOther {
		t.Fatalf("create: got status %d, want 303", created.status)
	}
	loc := created.header.Get("Location")
	if !strings.HasPrefix(loc, "/seat/admin/kb/entries/ch%2F010") {
		t.Fatalf("redirect: got %q, want the escaped id", loc)
	}
	page := h.get(c, loc)
	if page.status != http.StatusOK || !strings.Contains(page.body, "测绘成果汇交怎么办") {
		t.Errorf("edit page of ch/010: got status %d, want 200 with the entry", page.status)
	}
}

func TestKBImportWarnsWholesaleReplacement(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		wantNote bool
	}{
		{"one row replaces three", "id,category,question,similar,answer,materials\n" +
			"new-001,测绘,测绘成果怎么申请使用,,请向测绘成果保管单位申请。,\n", true},
		{"all rows kept", "id,category,question,similar,answer,materials\n" +
			"bdc-001,不动产登记,办理不动产登记需要哪些材料,,请携带身份证明。,\n" +
			"bdc-002,不动产登记,不动产登记办理时限是多久,,5 个工作日。,\n" +
			"ch-001,测绘,测绘资质如何申请,,在线提交申请。,\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newKBHarness(t)
			h.createAccount("admin1", "王敏", auth.RoleAdmin)
			c := h.client()
			token := h.login(c, "admin1")
			got := h.upload(c, token, "replace.csv", tt.file, map[string]string{"mode": "import", "replace": "1"})
			if got.status != http.StatusOK {
				t.Fatalf("status: got %d, want 200; body %s", got.status, got.body)
			}
			if note := strings.Contains(got.body, "注意：这次整体替换删除的条目"); note != tt.wantNote {
				t.Errorf("wholesale warning shown: got %v, want %v", note, tt.wantNote)
			}
		})
	}
}
