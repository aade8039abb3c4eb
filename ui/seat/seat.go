// Package seat holds the staff pages: the login page, the workbench where a
// seat takes citizens from the queue and chats with them, the conversation
// history with its search, the left-message list and the account page
// for administrators. The workbench is rendered with the seat's current
// queue and conversations; seat.js then keeps it live over the WebSocket.
package seat

import (
	"net/url"
	"strconv"

	"github.com/a-h/templ"
)

// Nav is the header of every page after login.
type Nav struct {
	// Name is the signed-in staff member's display name.
	Name  string
	Admin bool
	// Supervisor is set for supervisors and administrators, who see the
	// service statistics.
	Supervisor bool
	// CSRF is the session's token, posted back by the logout form.
	CSRF string
	// Current is the page shown: "workbench", "history", "messages",
	// "accounts" or "kb".
	Current string
}

// Login is the view model of the login page.
type Login struct {
	Login string
	// Next is the page to open after login; empty means the workbench.
	Next  string
	Error string
	// Notice confirms an earlier step, such as a password change. The
	// handler sets it only to fixed text, never to request input.
	Notice string
	// CSRF is the pre-session token that matches the login cookie.
	CSRF string
}

// Workbench is the view model of the seat's main screen.
type Workbench struct {
	Nav     Nav
	AgentID string
	// Status is "online", "busy", "break" or "offline".
	Status string
	// MaxChats is how many conversations the seat may serve at once.
	MaxChats int
	Queue    []QueueItem
	// Chats are the conversations the seat serves, shown as tabs; the
	// first is the selected one.
	Chats []Chat
	// ClosedHours is set outside working hours, when citizens cannot
	// reach a seat and are offered the 留言 form; Hours describes them.
	ClosedHours bool
	Hours       string
	// MaxImageBytes and MaxFileBytes let attach.js refuse a file that is
	// too large before sending it; zero leaves the check to the hub.
	MaxImageBytes, MaxFileBytes int64
}

// QueueItem is one waiting citizen.
type QueueItem struct {
	ConversationID string
	Position       int
	Channel        string
	Topic          string
	// QueuedAt is the time of day the citizen joined the queue, "15:04".
	QueuedAt string
}

// Chat is one conversation the seat serves.
type Chat struct {
	ID      string
	Channel string
	Topic   string
	// State is "queued", "serving" or "closed".
	State    string
	Messages []Message
	// Suggestions are the bot's answers for the citizen's last message.
	Suggestions []Suggestion
}

// Message is one transcript line.
type Message struct {
	Seq uint64
	// From is "citizen", "bot", "agent" or "system".
	From   string
	Author string
	Text   string
	// At is the formatted time; AtISO is the same instant in RFC 3339.
	At    string
	AtISO string
	// Attachment is the line's image, file or voice message as JSON
	// ({"kind","attachment"}) for attach.js to show, or empty.
	Attachment string
}

// Suggestion is a knowledge-base answer the seat may insert into its reply.
type Suggestion struct {
	FAQID    string
	Question string
	Answer   string
}

// History is the view model of the conversation history page.
type History struct {
	Nav   Nav
	Query string
	Items []HistoryItem
	// More is the cursor of the next, older page; empty when this is the
	// last page or the page shows search results.
	More string
	// Groups are the recent group windows, on the first page only.
	Groups []GroupItem
}

// HistoryItem is one past or open conversation.
type HistoryItem struct {
	ID        string
	Topic     string
	Channel   string
	State     string
	AgentName string
	Started   string
	// Rating is the citizen's score from 1 to 5; zero means none.
	Rating int
	// Snippets are the search matches, split at the highlighted words.
	Snippets [][]Segment
}

// Segment is a run of snippet text; Mark runs matched the search.
type Segment struct {
	Text string
	Mark bool
}

// Transcript is the view model of one conversation's full record.
type Transcript struct {
	Nav     Nav
	ID      string
	Topic   string
	Channel string
	State   string
	// Agents lists the seats that served the conversation, in order.
	Agents   []string
	Started  string
	Closed   string
	Rating   *Rating
	Messages []Message
}

// Rating is the citizen's verdict.
type Rating struct {
	Score   int
	Comment string
}

// Messages is the view model of the left-message list.
type Messages struct {
	Nav Nav
	// Query is the reference-number search; Items then holds the matches.
	Query string
	Items []LeftMessage
	// Error is a problem with the last reply, shown above the list.
	Error string
	// Page and Pages number the pages of the list, from 1; Total counts
	// the messages on all of them.
	Page, Pages, Total int
}

// PageURL returns the address of page n of the list, keeping the search.
func (m Messages) PageURL(n int) templ.SafeURL {
	v := url.Values{"page": {strconv.Itoa(n)}}
	if m.Query != "" {
		v.Set("q", m.Query)
	}
	return templ.SafeURL("/seat/messages?" + v.Encode())
}

// LeftMessage is one message a citizen left outside working hours.
type LeftMessage struct {
	ID string
	// Ref is the reference number the citizen was given, such as
	// "LY20261204-0007"; empty for messages stored before references.
	Ref     string
	Name    string
	Phone   string
	Text    string
	Channel string
	At      string
	// Reply, RepliedBy and RepliedAt are set once staff recorded an answer.
	Reply     string
	RepliedBy string
	RepliedAt string
}

// Accounts is the view model of the administrator's account page.
type Accounts struct {
	Nav   Nav
	Items []Account
	Form  AccountForm
	// Roles are the choices of the role fields, with Chinese labels.
	Roles []Option
	// Error is the problem with the last action on a listed account.
	Error string
	// Notice confirms the last action on a listed account.
	Notice string
	// Reset is set only on the page that answers a password reset.
	Reset *ResetNotice
}

// ResetNotice shows a generated password the one time it is displayed.
type ResetNotice struct {
	Login    string
	Name     string
	Password string
}

// Account is one staff account.
type Account struct {
	ID    string
	Login string
	Name  string
	// Role is the Chinese label; RoleValue is the form value.
	Role      string
	RoleValue string
	// MaxChats is the concurrent chat limit; zero means the service default.
	MaxChats int
	Disabled bool
	Created  string
}

// AccountForm is the state of the create-account form.
type AccountForm struct {
	Login string
	Name  string
	Role  string
	// Error is the validation message of the last submission.
	Error string
	// Notice confirms the last submission.
	Notice string
}

// Option is one choice of a select field.
type Option struct {
	Value string
	Label string
}

// Password is the view model of the change-password page.
type Password struct {
	Nav Nav
	// Required reports that the member must change the password set by an
	// administrator before using the seat.
	Required bool
	Error    string
}

// PasswordRule describes the rule auth applies to every new password, for
// the fields where staff choose one. It must change with auth's checks.
const PasswordRule = "至少 10 个字符，须包含小写字母、大写字母、数字、符号中的两类，不能包含账号，不能使用 admin12345、password123 等常见密码。"
