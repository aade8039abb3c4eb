package web

import (
	"net/http"
	"time"

	"wenban/appliance/audit"
	"wenban/ui/seat"
)

// auditPerPage is how many entries one page of the trail shows.
const auditPerPage = 50

// auditGroups are the filter choices of the audit page, in menu order.
var auditGroups = []seat.AuditOption{
	{Value: "login", Label: "登录"},
	{Value: "account", Label: "账号与密码"},
	{Value: "message", Label: "留言答复"},
	{Value: "history", Label: "查看会话、留言和文件"},
	{Value: "kb", Label: "知识库"},
	{Value: "policy", Label: "政策法规库"},
	{Value: "announcement", Label: "公告"},
	{Value: "system", Label: "系统维护"},
}

// auditActionLabels are the Chinese names of the audited actions.
var auditActionLabels = map[audit.Action]string{
	audit.LoginSucceeded:        "登录成功",
	audit.LoginFailed:           "登录失败",
	audit.Logout:                "退出登录",
	audit.PasswordChanged:       "修改本人密码",
	audit.AccountCreated:        "新建账号",
	audit.AccountUpdated:        "修改账号",
	audit.AccountDisabled:       "停用账号",
	audit.AccountEnabled:        "启用账号",
	audit.PasswordReset:         "重置密码",
	audit.MessageReplied:        "记录留言答复",
	audit.HistoryViewed:         "查看会话记录",
	audit.MessagesViewed:        "查看留言列表",
	audit.FileOpened:            "打开市民文件或录像",
	audit.KBPublished:           "发布知识库",
	audit.KBRolledBack:          "回滚知识库",
	audit.PhrasingApproved:      "采纳问法建议",
	audit.PhrasingRejected:      "拒绝问法建议",
	audit.KBImported:            "导入知识库文件",
	audit.PolicyUpdated:         "更新政策法规库",
	audit.BackupWritten:         "数据备份",
	audit.AnnouncementPublished: "发布公告",
	audit.AnnouncementWithdrawn: "撤下公告",
}

// auditLog serves GET /seat/admin/audit.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Audit == nil {
		return &appError{Status: http.StatusNotFound, Message: "本服务中心未启用操作日志。"}
	}
	q := r.URL.Query()
	view := seat.AuditLog{Nav: navOf(r, "audit"), Groups: auditGroups, Group: q.Get("group"), ActorID: q.Get("actor")}
	if !knownGroup(view.Group) {
		view.Group = ""
	}

	accounts, err := s.deps.Auth.Accounts(r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, a := range accounts {
		names[a.ID] = a.DisplayName
		view.Actors = append(view.Actors, seat.AuditOption{Value: a.ID, Label: a.DisplayName + "（" + a.Login + "）"})
	}

	// One read of the trail gives the count and the page, because each
	// read decrypts every entry.
	entries, total, err := s.deps.Audit.List(r.Context(), audit.Filter{Group: view.Group, ActorID: view.ActorID})
	if err != nil {
		return err
	}
	view.Total = total
	view.Page, view.Pages = pageOf(r, total, auditPerPage)
	start, end := pageBounds(view.Page, total, auditPerPage)
	for _, e := range entries[start:end] {
		view.Rows = append(view.Rows, auditRow(e, names, s.formatSeconds))
	}
	return s.render(w, r, http.StatusOK, seat.AuditLogView(view))
}

func knownGroup(g string) bool {
	for _, o := range auditGroups {
		if o.Value == g {
			return true
		}
	}
	return false
}

// auditRow formats an entry. The actor shows under the account's current
// name when it still exists, and as 未知账号 for a failed login that
// named none.
func auditRow(e audit.Entry, names map[string]string, format func(time.Time) string) seat.AuditRow {
	actor := e.Actor
	if n, ok := names[e.ActorID]; ok && n != "" {
		actor = n
	}
	switch {
	case e.ActorID == "":
		actor = "未知账号"
	case e.Action == audit.LoginFailed:
		// The attempt was on this account, by anyone.
		actor += "（被尝试登录）"
	}
	label, ok := auditActionLabels[e.Action]
	if !ok {
		label = string(e.Action)
	}
	return seat.AuditRow{At: format(e.At), Actor: actor, Action: label, Target: e.Target, Detail: e.Detail, Remote: e.Remote}
}

// formatSeconds is formatTime to the second, which an audit trail needs.
func (s *Server) formatSeconds(t time.Time) string {
	return t.In(s.location()).Format("2006-01-02 15:04:05")
}
