// Package web is the hub's HTTP layer: the citizen page and its JSON API,
// the staff pages, the static assets and the health check. Handlers read
// the request, call a service and render a page from package ui. They keep
// no state of their own beyond what Deps hands them.
//
// Every response carries the security headers, every unsafe request passes
// a cross-origin check, and every form carries a CSRF token. Errors reach
// users as Simplified Chinese messages; internal causes go only to the log.
package web

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"wenban/appliance/audit"
	"wenban/appliance/auth"
	"wenban/appliance/bot"
	"wenban/appliance/conversation"
	"wenban/ui/static"
)

// Defaults for Deps fields left zero.
const (
	DefaultMaxQuestionRunes = 500
	DefaultMaxChats         = 5
)

// Deps are the services a Server calls. Fields marked required must be set
// before New; the others have documented zero values.
type Deps struct {
	// Firmware serves update bundles to terminals; nil serves none.
	Firmware http.Handler
	// Bot returns the current question engine. The hub swaps engines after
	// a knowledge-base import, so the server calls Bot on every question.
	// A nil func or a nil engine makes every question fail with 503.
	Bot func() *bot.Engine
	// Conversations runs citizen conversations, the queue, the history and
	// the left messages. Required.
	Conversations Conversations
	// Auth checks staff logins and sessions and manages accounts. Required.
	Auth Auth
	// Calendar reports when the staff seats are open. Required.
	Calendar Calendar
	// Media serves the WHIP and WHEP endpoints under /whip/ and /whep/,
	// which check their own bearer tokens. Nil serves 404.
	Media http.Handler
	// CitizenSocket serves GET /ws/citizen. Nil serves 404.
	CitizenSocket http.Handler
	// SeatSocket serves GET /ws/seat behind the staff login check, which
	// stores the account for auth.FromContext. Nil serves 404.
	SeatSocket http.Handler
	// KioskSocket serves GET /ws/kiosk, the control channel of the
	// virtual-window terminals, which authenticate with their own key.
	// Nil serves 404.
	KioskSocket http.Handler
	// Kiosk serves the seat's kiosk routes under /seat/api/kiosk/. Nil serves 404 there.
	Kiosk KioskSeat
	// KioskMedia serves the kiosks' WHIP endpoint under /kiosk/whip/, which checks its own bearer tokens. Nil serves 404.
	KioskMedia http.Handler
	// SeatStatus returns a seat's current status ("online", "busy",
	// "break" or "offline") for the first render of the workbench. The
	// page learns later changes over the WebSocket. Nil renders "offline",
	// the status a seat has before its first WebSocket connection.
	SeatStatus func(accountID string) string
	// StaffedSeats counts the seats that will serve the queue (a page open,
	// status not offline). When it returns 0 during working hours, 转人工
	// offers the leave-message form rather than a queue nobody serves.
	// Nil counts one.
	StaffedSeats func() int
	// Announcements keeps the hall's announcements, which the citizen
	// page shows. Nil shows none and serves no announcements page.
	Announcements AnnouncementBoard
	// Audit keeps the staff side's audit trail. Nil records nothing and
	// serves no audit page.
	Audit AuditTrail
	// RecheckSeat checks the login of an account's open seat pages at
	// once. The accounts page calls it after disabling an account or
	// resetting its password. Nil leaves the pages to their periodic check.
	RecheckSeat func(accountID string)
	// Health reports whether the hub can serve. GET /healthz returns 200
	// when it returns nil and 503 with its error otherwise. Nil reports
	// healthy.
	Health func() error
	// Logger receives access logs at debug level and failures at error
	// level. Nil discards them.
	Logger *slog.Logger
	// Secure marks cookies Secure; set it whenever the hub is served over
	// HTTPS, which browsers need for camera and microphone access anyway.
	Secure bool
	// MaxQuestionRunes caps a question to the bot, in Unicode code points.
	// Zero means DefaultMaxQuestionRunes (500).
	MaxQuestionRunes int
	// MaxChats is the number of conversations a seat serves at once, shown
	// on the workbench; the conversation service enforces it. Zero means
	// DefaultMaxChats (5).
	MaxChats int
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// KB runs the knowledge-base administration pages. Nil serves 404 there.
	KB KnowledgeBase
	// Attachments stores the chat's images, files and voice messages and
	// serves them and call recordings. Nil serves 404 on those routes.
	Attachments *Attachments
	// Policy is the policy and regulation library behind /policy, its
	// admin page and the citations of bot answers. Nil serves 404 there
	// and answers carry no citations.
	Policy PolicyLibrary
	// PolicyJob is the library's update job; nil hides the admin page's
	// run button.
	PolicyJob PolicyJob
	// GroupWindows lists group windows on the history page. Nil lists none.
	GroupWindows GroupWindows
}

// Server serves the hub's pages and HTTP API.
type Server struct {
	deps      Deps
	log       *slog.Logger
	healthLog logLimiter
	// recorded limits the bot questions stored per client address; see
	// recordEvery.
	recorded *addressLimiter
	// unknownLogins limits the audit entries of failed logins for names
	// no account has; see unknownLoginEvery.
	unknownLogins *addressLimiter

	// uploadsMu guards uploadsInFlight, the bytes of citizen uploads
	// still streaming, per conversation, which the quota counts.
	uploadsMu       sync.Mutex
	uploadsInFlight map[conversation.ID]int64

	// queuedMu guards queuedFrom, the client key of each conversation
	// this server queued, which maxQueuedPerClient counts.
	queuedMu   sync.Mutex
	queuedFrom map[conversation.ID]string
}

// New returns a Server over deps, filling the zero fields with defaults.
func New(deps Deps) *Server {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.MaxQuestionRunes <= 0 {
		deps.MaxQuestionRunes = DefaultMaxQuestionRunes
	}
	if deps.MaxChats <= 0 {
		deps.MaxChats = DefaultMaxChats
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &Server{deps: deps, log: deps.Logger.With("component", "web"), recorded: newAddressLimiter(recordEvery, recordBurst),
		unknownLogins: newAddressLimiter(unknownLoginEvery, unknownLoginBurst)}
}

// Handler returns the hub's HTTP handler with every route and middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)

	origin := http.NewCrossOriginProtection()
	origin.SetDenyHandler(s.api(func(http.ResponseWriter, *http.Request) error {
		return &appError{Status: http.StatusForbidden, Message: msgCSRF}
	}))

	var h http.Handler = mux
	h = origin.Handler(h)
	h = s.recoverPanics(h)
	h = securityHeaders(h)
	return s.accessLog(h)
}

func (s *Server) routes(mux *http.ServeMux) {
	// The page route and the API route of one action share a limiter, so
	// mixing them cannot double a client's rate.
	leaves := newAddressLimiter(leaveEvery, leaveBurst)
	lookups := newLookupLimits()
	mux.Handle("GET /{$}", s.page(s.citizenPage))
	mux.Handle("POST /ask", s.page(s.askForm))
	mux.Handle("POST /leave-message", s.limit(leaves, s.page(s.leaveForm)))
	mux.Handle("POST /leave-message/status", s.page(s.lookupForm(lookups)))

	mux.Handle("POST /api/v1/bot/ask", s.api(s.apiAsk))
	mux.Handle("POST /api/v1/handoff", s.limit(newAddressLimiter(handoffEvery, handoffBurst), s.api(s.apiHandoff)))
	mux.Handle("GET /api/v1/hours", s.api(s.apiHours))
	mux.Handle("POST /api/v1/leave-message", s.limit(leaves, s.api(s.apiLeaveMessage)))
	mux.Handle("POST /api/v1/leave-message/status", s.api(s.apiLookUpLeftMessage(lookups)))
	mux.Handle("POST /api/v1/rating", s.api(s.apiRating))
	mux.Handle("GET /ws/citizen", orNotFound(s.deps.CitizenSocket))

	mux.Handle("GET /seat/login", s.page(s.loginPage))
	// Ten attempts at once, then one every six seconds per address.
	mux.Handle("POST /seat/login", s.limit(newAddressLimiter(6*time.Second, 10), s.page(s.loginSubmit)))
	mux.Handle("POST /seat/logout", s.staffPage(s.audited(audit.Logout, nil, s.logout)))
	mux.Handle("GET /seat/password", s.staffPage(s.passwordPage))
	mux.Handle("POST /seat/password", s.staffPage(s.audited(audit.PasswordChanged, nil, s.changePassword)))
	mux.Handle("GET /seat", s.staffPage(s.workbench))
	mux.Handle("GET /seat/{$}", s.staffPage(s.workbench))
	mux.Handle("GET /seat/api/kb/search", s.staffAPI(s.api(s.seatKBSearch)))
	mux.Handle("GET /seat/history", s.staffPage(s.history))
	mux.Handle("GET /seat/history/{id}", s.staffPage(s.audited(audit.HistoryViewed, pathTarget("id"), s.transcript)))
	mux.Handle("GET /seat/history/groups/{id}", s.staffPage(s.audited(audit.HistoryViewed, groupTarget, s.groupTranscript)))
	mux.Handle("GET /seat/messages", s.staffPage(s.audited(audit.MessagesViewed, messagesTarget, s.leftMessages)))
	mux.Handle("POST /seat/messages/{id}/reply", s.staffPage(s.audited(audit.MessageReplied, pathTarget("id"), s.replyLeftMessage)))
	mux.Handle("GET /seat/admin/accounts", s.adminPage(s.accounts))
	mux.Handle("GET /seat/admin/audit", s.adminPage(s.auditLog))
	mux.Handle("GET /seat/admin/announcements", s.adminPage(s.announcementsPage))
	mux.Handle("POST /seat/admin/announcements", s.adminPage(s.audited(audit.AnnouncementPublished, formTarget("title"), s.publishAnnouncement)))
	mux.Handle("POST /seat/admin/announcements/{id}/withdraw", s.adminPage(s.audited(audit.AnnouncementWithdrawn, s.announcementTarget, s.withdrawAnnouncement)))
	mux.Handle("GET /seat/admin/stats", s.requireStaff(auth.RoleSupervisor, true, s.page(s.statsPage)))
	mux.Handle("POST /seat/admin/accounts", s.adminPage(s.audited(audit.AccountCreated, formTarget("login"), s.createAccount)))
	mux.Handle("POST /seat/admin/accounts/{id}", s.adminPage(s.audited(audit.AccountUpdated, pathTarget("id"), s.updateAccount)))
	mux.Handle("POST /seat/admin/accounts/{id}/reset", s.adminPage(s.audited(audit.PasswordReset, pathTarget("id"), s.resetAccountPassword)))
	mux.Handle("POST /seat/admin/accounts/{id}/disable", s.adminPage(s.audited(audit.AccountDisabled, pathTarget("id"), s.disableAccount)))
	mux.Handle("POST /seat/admin/accounts/{id}/enable", s.adminPage(s.audited(audit.AccountEnabled, pathTarget("id"), s.enableAccount)))
	mux.Handle("GET /ws/seat", s.staffAPI(orNotFound(s.deps.SeatSocket)))
	mux.Handle("GET /ws/kiosk", orNotFound(s.deps.KioskSocket))
	mux.Handle("/whip/", orNotFound(s.deps.Media))
	mux.Handle("/whep/", orNotFound(s.deps.Media))
	s.attachmentRoutes(mux)
	s.kioskRoutes(mux)
	s.kbRoutes(mux)
	s.policyRoutes(mux)
	s.registerFirmware(mux)

	mux.Handle("GET /healthz", http.HandlerFunc(s.healthz))
	mux.Handle("GET /static/{name}", http.HandlerFunc(serveStatic))
	// Browsers ask for /favicon.ico on pages that name no icon.
	mux.Handle("GET /favicon.ico", http.RedirectHandler(static.URL("favicon.svg"), http.StatusMovedPermanently))
	mux.Handle("/", s.page(notFound))
}

func orNotFound(h http.Handler) http.Handler {
	if h == nil {
		return http.NotFoundHandler()
	}
	return h
}

func notFound(http.ResponseWriter, *http.Request) error {
	return &appError{Status: http.StatusNotFound, Message: msgNotFound}
}

func (s *Server) now() time.Time { return s.deps.Now() }
