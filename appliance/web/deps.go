package web

import (
	"context"
	"net/http"
	"time"

	"wenban/appliance/auth"
	"wenban/appliance/conversation"
)

// Conversations is the part of the conversation service the pages and the
// JSON API call. *conversation.Service implements it.
type Conversations interface {
	Start(ctx context.Context, req conversation.StartRequest) (conversation.Conversation, string, error)
	Authenticate(ctx context.Context, cookie string) (conversation.Conversation, error)
	Get(ctx context.Context, id conversation.ID) (conversation.Conversation, error)
	Messages(ctx context.Context, id conversation.ID, after uint64) ([]conversation.Message, error)
	Queue(ctx context.Context) ([]conversation.QueueItem, error)
	Active(ctx context.Context, agentID string) ([]conversation.Conversation, error)
	List(ctx context.Context, f conversation.ListFilter) ([]conversation.Conversation, error)
	Search(ctx context.Context, query string, limit int) ([]conversation.SearchHit, error)
	Rate(ctx context.Context, id conversation.ID, score int, comment string) error
	LeaveMessage(ctx context.Context, m conversation.LeftMessage) (conversation.LeftMessage, error)
	LeftMessages(ctx context.Context) ([]conversation.LeftMessage, error)
	ReplyLeftMessage(ctx context.Context, id string, agent conversation.Agent, reply string) (conversation.LeftMessage, error)
	LookUpLeftMessage(ctx context.Context, ref, phone string) (conversation.LeftMessageStatus, error)
	RecordQuestion(ctx context.Context, r conversation.QuestionRecord) error
	Questions(ctx context.Context) ([]conversation.QuestionRecord, error)
}

// Calendar reports when the staff seats are open. *calendar.Calendar
// implements it.
type Calendar interface {
	IsOpen(t time.Time) bool
	NextOpen(t time.Time) time.Time
	Describe() string
	Location() *time.Location
}

// Auth checks staff logins and sessions and manages accounts.
// *auth.Service implements it.
type Auth interface {
	// LoginDevice checks a login and honours the device cookie that an
	// earlier login on this browser set (see auth.LoginDevice).
	LoginDevice(r *http.Request, login, password, remoteAddr string) (auth.Session, error)
	Logout(ctx context.Context, token string) error
	FromRequest(r *http.Request) (auth.Session, auth.Account, error)
	SetCookie(w http.ResponseWriter, sess auth.Session, secure bool)
	CheckCSRF(sess auth.Session, token string) bool
	SetPassword(ctx context.Context, id, oldPassword, newPassword string) error
	Accounts(ctx context.Context) ([]auth.Account, error)
	CreateAccount(ctx context.Context, login, displayName string, role auth.Role, password string) (auth.Account, error)
	Account(ctx context.Context, id string) (auth.Account, error)
	Update(ctx context.Context, a auth.Account) error
	ResetPassword(ctx context.Context, adminID, id, newPassword string) error
}
