package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"wenban/appliance/conversation"
)

func TestBotAskValidation(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()

	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		wantError   string // substring of the Chinese message; "" for success
	}{
		{"matched question", "application/json", `{"question":"办理不动产登记需要哪些材料"}`, 200, ""},
		{"exactly 500 runes", "application/json", `{"question":"` + strings.Repeat("地", 500) + `"}`, 200, ""},
		{"empty", "application/json", `{"question":""}`, 400, "请输入"},
		{"only spaces", "application/json", `{"question":"  \t "}`, 400, "请输入"},
		{"missing field", "application/json", `{}`, 400, "请输入"},
		{"501 runes", "application/json", `{"question":"` + strings.Repeat("地", 501) + `"}`, 400, "500"},
		{"invalid UTF-8", "application/json", "{\"question\":\"\xff\xfe\"}", 400, "无法识别"},
		{"bad JSON", "application/json", `{"question":`, 400, "请求格式"},
		{"unknown field", "application/json", `{"question":"测绘","extra":1}`, 400, "请求格式"},
		{"trailing data", "application/json", `{"question":"测绘"}{}`, 400, "请求格式"},
		{"wrong type", "application/json", `{"question":5}`, 400, "请求格式"},
		{"form content type", "application/x-www-form-urlencoded", `question=x`, 415, "请求格式"},
		{"body over 64 KiB", "application/json", `{"question":"` + strings.Repeat("a", 70<<10) + `"}`, 413, "过长"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.do(c, http.MethodPost, "/api/v1/bot/ask", tt.contentType, tt.body)
			if resp.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d; body %s", resp.status, tt.wantStatus, resp.body)
			}
			if got := resp.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Errorf("content type: got %q, want application/json; charset=utf-8", got)
			}
			var body map[string]any
			decodeBody(t, resp.body, &body)
			if tt.wantError == "" {
				if _, ok := body["matched"]; !ok {
					t.Errorf("reply lacks matched: %s", resp.body)
				}
				return
			}
			msg, _ := body["error"].(string)
			if !strings.Contains(msg, tt.wantError) {
				t.Errorf("error message: got %q, want it to contain %q", msg, tt.wantError)
			}
		})
	}
}

func TestBotAskAnswersAndRecords(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp := h.postJSON(h.client(), "/api/v1/bot/ask", `{"question":"办理不动产登记需要哪些材料","channel":"kiosk"}`)
	if resp.status != http.StatusOK {
		t.Fatalf("status: got %d, want 200; body %s", resp.status, resp.body)
	}

	var res struct {
		Matched     bool     `json:"matched"`
		FAQID       string   `json:"faq_id"`
		Answer      string   `json:"answer"`
		Materials   []string `json:"materials"`
		Suggestions []struct {
			FAQID string `json:"faq_id"`
		} `json:"suggestions"`
	}
	decodeBody(t, resp.body, &res)
	if !res.Matched || res.FAQID != "bdc-001" {
		t.Errorf("match: got matched=%v faq_id=%q, want true bdc-001", res.Matched, res.FAQID)
	}
	if len(res.Materials) != 3 {
		t.Errorf("materials: got %d, want 3", len(res.Materials))
	}
	if res.Suggestions == nil {
		t.Errorf("suggestions: got null, want a list")
	}

	recs, err := h.conv.Questions(context.Background())
	if err != nil {
		t.Fatalf("reading question records: %v", err)
	}
	if len(recs) != 1 {
		t.Fatalf("question records: got %d, want 1", len(recs))
	}
	if recs[0].FAQID != "bdc-001" || recs[0].Channel != "kiosk" {
		t.Errorf("record: got faq_id=%q channel=%q, want bdc-001 kiosk", recs[0].FAQID, recs[0].Channel)
	}
}

func TestBotAskWithoutEngine(t *testing.T) {
	h := newHarness(t, harnessOptions{noBot: true})
	resp := h.postJSON(h.client(), "/api/v1/bot/ask", `{"question":"测绘资质如何申请"}`)
	if resp.status != http.StatusServiceUnavailable {
		t.Fatalf("status: got %d, want 503", resp.status)
	}
	if !strings.Contains(resp.body, "知识库") {
		t.Errorf("body: got %s, want the knowledge-base message", resp.body)
	}
}

func TestAskFormFallback(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()
	token := formTokenOf(t, h.get(c, "/").body)

	tests := []struct {
		name       string
		q          string
		wantStatus int
		wantText   string
	}{
		{"answers", "不动产登记办理时限是多久", 200, "5 个工作日"},
		{"empty question", " ", 400, "请输入您要咨询的问题"},
		{"too long", strings.Repeat("测", 501), 400, "不能超过 500 个字"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.postForm(c, "/ask", url.Values{"q": {tt.q}, csrfField: {token}})
			if resp.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d", resp.status, tt.wantStatus)
			}
			if !strings.Contains(resp.body, tt.wantText) {
				t.Errorf("page lacks %q", tt.wantText)
			}
			assertTestIDs(t, resp.body, "ask-input", "answer-panel")
		})
	}
}

func TestAskFormNoMatchFollowsHours(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()
	token := formTokenOf(t, h.get(c, "/").body)
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"working hours", openTime, noMatchText},
		{"after hours", closedTime, noMatchAfterHoursText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.clock.Set(tt.at)
			resp := h.postForm(c, "/ask", url.Values{"q": {"今天天气怎么样"}, csrfField: {token}})
			if !strings.Contains(resp.body, tt.want) {
				t.Errorf("page lacks %q", tt.want)
			}
			if strings.Contains(resp.body, `data-testid="suggestion"`) {
				t.Errorf("chit-chat got knowledge-base suggestions, want none")
			}
		})
	}
}

func TestAskFormKeepsQuestionForLeaveForm(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.clock.Set(closedTime)
	c := h.client()
	token := formTokenOf(t, h.get(c, "/").body)

	resp := h.postForm(c, "/ask", url.Values{"q": {"我想咨询宅基地审批"}, csrfField: {token}})
	if resp.status != http.StatusOK {
		t.Fatalf("status: got %d, want 200", resp.status)
	}
	if !strings.Contains(resp.body, `data-testid="leave-text">我想咨询宅基地审批</textarea>`) {
		t.Errorf("leave form text does not keep the asked question")
	}
	if isHidden(openTag(resp.body, "leave-panel")) {
		t.Errorf("leave panel: got hidden, want shown outside working hours")
	}
}

func TestHandoff(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()
	body := `{"channel":"web","topic":"不动产登记","transcript":[{"from":"citizen","text":"不动产登记"},{"from":"bot","text":"请携带身份证明"}]}`

	first := h.postJSON(c, "/api/v1/handoff", body)
	if first.status != http.StatusCreated {
		t.Fatalf("first handoff: got %d, want 201; body %s", first.status, first.body)
	}
	var reply handoffReply
	decodeBody(t, first.body, &reply)
	if reply.ConversationID == "" {
		t.Fatalf("reply: got %+v, want the conversation id", reply)
	}
	if strings.Contains(string(first.body), "token") {
		t.Errorf("reply body %s exposes the token", first.body)
	}
	cookie := ""
	for _, ck := range c.Jar.Cookies(mustURL(t, h.srv.URL)) {
		if ck.Name == citizenCookie {
			cookie = ck.Value
		}
	}
	if id, _, _ := strings.Cut(cookie, "."); id != string(reply.ConversationID) {
		t.Errorf("cookie: got %q, want %s.<token>", cookie, reply.ConversationID)
	}
	setCookie := first.header.Get("Set-Cookie")
	for _, attr := range []string{"HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(setCookie, attr) {
			t.Errorf("Set-Cookie %q lacks %s", setCookie, attr)
		}
	}

	again := h.postJSON(c, "/api/v1/handoff", body)
	if again.status != http.StatusOK {
		t.Fatalf("second handoff: got %d, want 200", again.status)
	}
	var second handoffReply
	decodeBody(t, again.body, &second)
	if second != reply {
		t.Errorf("second handoff: got %+v, want the same conversation %+v", second, reply)
	}

	msgs, err := h.conv.Messages(context.Background(), reply.ConversationID, 0)
	if err != nil {
		t.Fatalf("reading transcript: %v", err)
	}
	if len(msgs) != 3 {
		t.Errorf("transcript: got %d lines, want 2 bot-exchange lines and 1 system line", len(msgs))
	}
}

func TestHandoffRejections(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	lines := strings.Repeat(`{"from":"citizen","text":"问"},`, 21)
	tests := []struct {
		name       string
		closed     bool
		body       string
		wantStatus int
		wantLeave  bool
	}{
		{"after hours", true, `{"channel":"web","topic":"","transcript":[]}`, 409, true},
		{"21 transcript lines", false, `{"channel":"web","topic":"","transcript":[` + strings.TrimSuffix(lines, ",") + `]}`, 400, false},
		{"unknown channel", false, `{"channel":"fax","topic":"","transcript":[]}`, 400, false},
		{"agent line in transcript", false, `{"channel":"web","topic":"","transcript":[{"from":"agent","text":"x"}]}`, 400, false},
		{"unknown sender", false, `{"channel":"web","topic":"","transcript":[{"from":"robot","text":"x"}]}`, 400, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.clock.Set(openTime)
			if tt.closed {
				h.clock.Set(closedTime)
			}
			resp := h.postJSON(h.client(), "/api/v1/handoff", tt.body)
			if resp.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d; body %s", resp.status, tt.wantStatus, resp.body)
			}
			var body errorBody
			decodeBody(t, resp.body, &body)
			if body.LeaveMessage != tt.wantLeave {
				t.Errorf("leave_message: got %v, want %v", body.LeaveMessage, tt.wantLeave)
			}
			if body.Error == "" {
				t.Errorf("error message: got empty, want Chinese text")
			}
		})
	}
}

func TestHours(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	tests := []struct {
		name     string
		now      string
		wantOpen bool
	}{
		{"monday morning", "open", true},
		{"sunday", "closed", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.clock.Set(openTime)
			if tt.now == "closed" {
				h.clock.Set(closedTime)
			}
			resp := h.get(h.client(), "/api/v1/hours")
			var got hoursReply
			decodeBody(t, resp.body, &got)
			if got.Open != tt.wantOpen {
				t.Errorf("open: got %v, want %v", got.Open, tt.wantOpen)
			}
			if !strings.Contains(got.Text, "08:30-12:00") {
				t.Errorf("text: got %q, want the schedule", got.Text)
			}
			if got.NextOpen == "" {
				t.Errorf("next_open: got empty, want RFC 3339")
			}
		})
	}
}

func TestLeaveMessageValidation(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantField  string
	}{
		{"valid mobile", `{"name":"张三","phone":"13812345678","text":"请联系我"}`, 201, ""},
		{"valid landline", `{"name":"李四","phone":"0731-88886666","text":"咨询测绘资质"}`, 201, ""},
		{"empty name", `{"name":"","phone":"13812345678","text":"请联系我"}`, 400, "name"},
		{"name over 32 runes", `{"name":"` + strings.Repeat("名", 33) + `","phone":"13812345678","text":"x"}`, 400, "name"},
		{"bad phone", `{"name":"张三","phone":"12345","text":"请联系我"}`, 400, "phone"},
		{"empty text", `{"name":"张三","phone":"13812345678","text":" "}`, 400, "text"},
		{"text over 1000 runes", `{"name":"张三","phone":"13812345678","text":"` + strings.Repeat("字", 1001) + `"}`, 400, "text"},
		{"unknown field", `{"name":"张三","phone":"13812345678","text":"x","email":"a@b"}`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.clock.Set(h.clock.Now().Add(leaveEvery)) // stay under the rate limit
			resp := h.postJSON(c, "/api/v1/leave-message", tt.body)
			if resp.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d; body %s", resp.status, tt.wantStatus, resp.body)
			}
			var body map[string]string
			decodeBody(t, resp.body, &body)
			if tt.wantStatus == 201 && body["id"] == "" {
				t.Errorf("reply: got %s, want an id", resp.body)
			}
			if tt.wantStatus == 400 && body["error"] == "" {
				t.Errorf("reply: got %s, want a Chinese error", resp.body)
			}
			if body["field"] != tt.wantField {
				t.Errorf("field: got %q, want %q", body["field"], tt.wantField)
			}
		})
	}

	list, err := h.conv.LeftMessages(context.Background())
	if err != nil {
		t.Fatalf("listing left messages: %v", err)
	}
	if len(list) != 2 {
		t.Errorf("stored messages: got %d, want 2", len(list))
	}
}

func TestLeaveMessageForm(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.clock.Set(closedTime)
	c := h.client()
	token := formTokenOf(t, h.get(c, "/").body)

	bad := h.postForm(c, "/leave-message", url.Values{"name": {"王五"}, "phone": {"abc"}, "text": {"宅基地"}, csrfField: {token}})
	if bad.status != http.StatusBadRequest {
		t.Fatalf("invalid phone: got %d, want 400", bad.status)
	}
	if isHidden(openTag(bad.body, "leave-error")) {
		t.Errorf("leave-error: got hidden, want the validation message")
	}
	if !strings.Contains(bad.body, `value="王五"`) {
		t.Errorf("form does not keep the name after a failed submission")
	}
	if tag := openTag(bad.body, "leave-phone"); !strings.Contains(tag, "autofocus") {
		t.Errorf("leave-phone: got %s, want the focus on the invalid phone", tag)
	}

	good := h.postForm(c, "/leave-message", url.Values{"name": {"王五"}, "phone": {"13912345678"}, "text": {"宅基地"}, csrfField: {token}})
	if good.status != http.StatusSeeOther {
		t.Fatalf("valid message: got %d, want 303", good.status)
	}
	if loc := good.header.Get("Location"); !strings.HasPrefix(loc, "/?left=1") {
		t.Errorf("redirect: got %q, want /?left=1...", loc)
	}
	done := h.get(c, "/?left=1")
	if isHidden(openTag(done.body, "leave-done")) {
		t.Errorf("leave-done: got hidden, want the confirmation")
	}
}

func TestRating(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()

	if resp := h.postJSON(c, "/api/v1/rating", `{"score":5,"comment":""}`); resp.status != http.StatusUnauthorized {
		t.Errorf("without conversation: got %d, want 401", resp.status)
	}

	start := h.postJSON(c, "/api/v1/handoff", `{"channel":"web","topic":"","transcript":[]}`)
	var reply handoffReply
	decodeBody(t, start.body, &reply)
	if resp := h.postJSON(c, "/api/v1/rating", `{"score":5,"comment":""}`); resp.status != http.StatusConflict {
		t.Errorf("open conversation: got %d, want 409", resp.status)
	}

	if _, err := h.conv.End(context.Background(), reply.ConversationID, conversation.Closer{}); err != nil {
		t.Fatalf("ending conversation: %v", err)
	}
	tests := []struct {
		name       string
		body       string
		wantStatus int
	}{
		{"score zero", `{"score":0,"comment":""}`, 400},
		{"score six", `{"score":6,"comment":""}`, 400},
		{"comment over 300 runes", `{"score":4,"comment":"` + strings.Repeat("好", 301) + `"}`, 400},
		{"valid", `{"score":4,"comment":"服务很耐心"}`, 200},
		{"second rating", `{"score":5,"comment":""}`, 409},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.postJSON(c, "/api/v1/rating", tt.body)
			if resp.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d; body %s", resp.status, tt.wantStatus, resp.body)
			}
		})
	}

	got, err := h.conv.Get(context.Background(), reply.ConversationID)
	if err != nil {
		t.Fatalf("reading conversation: %v", err)
	}
	if got.Rating == nil || got.Rating.Score != 4 {
		t.Errorf("stored rating: got %+v, want score 4", got.Rating)
	}
}

func TestCitizenPageRenders(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	common := []string{
		"citizen-page", "greeting", "hours", "ask-form", "ask-input", "ask-button", "ask-error",
		"answer-panel", "answer-question", "answer-text", "materials", "suggestions",
		"handoff-panel", "handoff-button", "leave-panel", "leave-form", "leave-name", "leave-phone",
		"leave-text", "leave-submit", "leave-error", "leave-done", "chat-panel", "chat-status",
		"queue-info", "queue-position", "queue-wait", "connection-status", "chat-messages",
		"chat-form", "chat-input", "chat-send", "chat-end", "chat-error", "rating-panel",
		"rating-stars", "rating-star-1", "rating-star-5", "rating-comment", "rating-submit",
		"rating-error", "rating-done", "rating-back", "chat-message",
	}
	tests := []struct {
		name        string
		closed      bool
		wantHandoff bool
	}{
		{"working hours", false, true},
		{"after hours", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.clock.Set(openTime)
			if tt.closed {
				h.clock.Set(closedTime)
			}
			resp := h.get(h.client(), "/")
			if resp.status != http.StatusOK {
				t.Fatalf("status: got %d, want 200", resp.status)
			}
			assertTestIDs(t, resp.body, common...)
			if !strings.Contains(resp.body, `<html lang="zh-CN">`) {
				t.Errorf("page lacks <html lang=\"zh-CN\">")
			}
			if strings.Contains(resp.body, "<script>") || strings.Contains(resp.body, " style=") {
				t.Errorf("page has an inline script or style")
			}
			if got := !isHidden(openTag(resp.body, "handoff-panel")); got != tt.wantHandoff {
				t.Errorf("handoff shown: got %v, want %v", got, tt.wantHandoff)
			}
			if got := !isHidden(openTag(resp.body, "leave-panel")); got == tt.wantHandoff {
				t.Errorf("leave form shown: got %v, want %v", got, !tt.wantHandoff)
			}
		})
	}
}

func TestCitizenPageResumesConversation(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client()
	start := h.postJSON(c, "/api/v1/handoff", `{"channel":"mobile","topic":"","transcript":[]}`)
	var reply handoffReply
	decodeBody(t, start.body, &reply)

	page := h.get(c, "/")
	root := openTag(page.body, "citizen-page")
	if !strings.Contains(root, `data-conversation-id="`+string(reply.ConversationID)+`"`) {
		t.Errorf("page root %q lacks the conversation id", root)
	}
	if !strings.Contains(root, `data-conversation-state="queued"`) {
		t.Errorf("page root %q lacks the queued state", root)
	}
	if isHidden(openTag(page.body, "chat-panel")) {
		t.Errorf("chat panel: got hidden, want shown for an open conversation")
	}

	if _, err := h.conv.End(context.Background(), reply.ConversationID, conversation.Closer{}); err != nil {
		t.Fatalf("ending conversation: %v", err)
	}
	page = h.get(c, "/")
	if isHidden(openTag(page.body, "rating-panel")) {
		t.Errorf("rating panel: got hidden, want shown for an unrated closed conversation")
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parsing %q: %v", raw, err)
	}
	return u
}

func TestOffHoursNotice(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.clock.Set(closedTime)

	page := h.get(h.client(), "/")
	if page.status != http.StatusOK {
		t.Fatalf("status: got %d, want 200", page.status)
	}
	const first = "当前为非工作时间，智能客服继续为您服务。"
	if !strings.Contains(page.body, first+"人工客服将于") {
		t.Errorf("off-hours notice: got no %q directly followed by the opening time in %q", first, page.body)
	}
	if strings.Contains(page.body, first+" ") {
		t.Errorf("off-hours notice: got a space after 。")
	}
}
