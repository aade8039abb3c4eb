// Package citizen is the citizen page: the ask box with the bot's answer,
// the handoff to a staff seat with the live queue position, the chat with
// the seat, the rating after the service and, outside working hours, the
// form for leaving a message. The page works without JavaScript for asking
// and leaving a message; citizen.js adds the handoff and the chat.
package citizen

import "strconv"

// Greeting opens the citizen page.
const Greeting = "您好，欢迎使用湖南省自然资源厅问办服务"

// Page is the view model of the citizen page.
type Page struct {
	// Channel is "web", "mobile" or "kiosk"; the handoff reports it.
	Channel string
	Hours   Hours
	// Question is the citizen's last question. It stays in the ask box
	// and pre-fills the leave-message form.
	Question string
	// Answer is the bot's answer to Question; nil before the first ask.
	Answer *Answer
	// AskError is a validation message for the ask box.
	AskError string
	// CSRF is the token the no-JavaScript forms post back.
	CSRF string
	// Conversation is the citizen's open or unrated conversation, so a
	// reload returns to the chat or the rating; nil when there is none.
	Conversation *Conversation
	Leave        LeaveForm
	Lookup       Lookup
	// Notices are the hall's announcements that show today.
	Notices []Notice
	// MaxImageBytes and MaxFileBytes let attach.js refuse a file that is
	// too large before sending it; zero leaves the check to the hub.
	MaxImageBytes, MaxFileBytes int64
}

// Notice is one announcement (公告) on the citizen page.
type Notice struct {
	Title, Body, Period string
}

// Hours describes the working hours of the staff seats.
type Hours struct {
	// Open reports whether seats take citizens now; when false the page
	// offers the leave-message form in place of the handoff.
	Open bool
	// Text is the schedule, such as "周一至周五 08:30-12:00，14:00-17:30".
	Text string
	// NextOpen is when the seats open next, already formatted for the
	// citizen; empty while Open.
	NextOpen string
}

// Answer is the bot's reply as the page shows it.
type Answer struct {
	// Matched reports whether the knowledge base holds an answer.
	Matched bool
	// Question is the standard question the bot matched.
	Question  string
	Text      string
	Materials []string
	// Suggestions are related standard questions the citizen may ask.
	Suggestions []Suggestion
	// Citations are the articles the answer rests on.
	Citations []Citation
}

// Suggestion is one related question.
type Suggestion struct {
	FAQID    string
	Question string
}

// Conversation is the citizen's current service conversation.
type Conversation struct {
	ID string
	// State is "queued", "serving" or "closed".
	State string
	// Rated reports whether a closed conversation already has a rating.
	Rated bool
}

// LeaveForm is the state of the leave-message form.
type LeaveForm struct {
	Name  string
	Phone string
	Text  string
	// Error is the validation message of the last submission, and Field
	// the field it is about ("name", "phone" or "text"), which gets the
	// focus.
	Error string
	Field string
	// Done reports that the last submission was stored.
	Done bool
	// Ref is the stored message's reference number, shown with Done.
	Ref string
}

// Lookup is the state of the form where a citizen looks up the status of
// a message they left, by its reference number and their phone number.
type Lookup struct {
	// Ref is the reference number as typed, kept in the form.
	Ref string
	// Error is the reason the last lookup found nothing.
	Error string
	// Result is the status found by the last lookup; nil before one.
	Result *LookupResult
}

// LookupResult is the status of one left message.
type LookupResult struct {
	Ref string
	// Status is 已收到 or 已处理.
	Status  string
	Handled bool
	At      string
	// Reply is the reply staff recorded, shown as its summary once Handled.
	Reply     string
	RepliedAt string
}

// open reports whether the lookup form starts unfolded.
func (l Lookup) open() bool { return l.Error != "" || l.Result != nil }

func (l Lookup) result() LookupResult {
	if l.Result == nil {
		return LookupResult{}
	}
	return *l.Result
}

func (p Page) conversationID() string {
	if p.Conversation == nil {
		return ""
	}
	return p.Conversation.ID
}

func (p Page) conversationState() string {
	if p.Conversation == nil {
		return ""
	}
	return p.Conversation.State
}

// showRating reports whether the page opens on the rating panel.
func (p Page) showRating() bool {
	return p.Conversation != nil && p.Conversation.State == "closed" && !p.Conversation.Rated
}

// showChat reports whether the page opens on the chat panel.
func (p Page) showChat() bool {
	return p.Conversation != nil && p.Conversation.State != "closed"
}

func starLabel(n int) string { return strconv.Itoa(n) + " 星" }

func starTestID(n int) string { return "rating-star-" + strconv.Itoa(n) }

// leaveText keeps what the citizen typed in the ask box when the leave
// form has no text of its own.
func (p Page) leaveText() string {
	if p.Leave.Text != "" {
		return p.Leave.Text
	}
	return p.Question
}

func boolText(b bool) string { return strconv.FormatBool(b) }

func itoa(n int) string { return strconv.Itoa(n) }

// answerOrEmpty lets the page always carry the answer markup, which
// citizen.js fills after an ask.
func answerOrEmpty(a *Answer) Answer {
	if a == nil {
		return Answer{}
	}
	return *a
}

// closedNotice is the off-hours line of the header. It is built as one
// string because templ would put a space between the two sentences, and
// Chinese text takes none after 。.
func closedNotice(h Hours) string {
	notice := "当前为非工作时间，智能客服继续为您服务。"
	if h.NextOpen != "" {
		notice += "人工客服将于" + h.NextOpen + " 上线。"
	}
	return notice
}

// footerText states the staff hours from the calendar, so the footer
// agrees with the header, including when the seats are always open.
func footerText(h Hours) string {
	return "湖南省自然资源厅 · 智能客服 24 小时在线，人工服务时间：" + h.Text
}

// leaveIntro explains the leave-message form with the calendar's hours in
// place of a fixed "after work starts", which is false for always-open seats.
func leaveIntro(h Hours) string {
	return "当前人工客服不在线。请留下您的姓名、联系电话和咨询内容，工作人员将在人工服务时间内尽快与您联系。人工服务时间：" + h.Text + "。"
}

func leaveDone(h Hours) string {
	return "您的留言已提交，工作人员将在人工服务时间内尽快与您联系。人工服务时间：" + h.Text + "。"
}
