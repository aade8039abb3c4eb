package web

import (
	"errors"
	"fmt"
	"net/http"

	"wenban/appliance/auth"
	"wenban/appliance/conversation"
)

// appError is a failed request: the status to send, a message that is safe
// to show the user and the internal cause, which is only logged.
type appError struct {
	Status int
	// Message is Simplified Chinese and never contains internal detail.
	Message string
	Cause   error
	// LeaveMessage makes the citizen page offer the leave-message form.
	LeaveMessage bool
	// Field names the form field the message is about, so the page can
	// put the cursor there; empty when the error is about no one field.
	Field string
}

func (e *appError) Error() string {
	if e.Cause == nil {
		return fmt.Sprintf("http %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("http %d: %v", e.Status, e.Cause)
}

func (e *appError) Unwrap() error { return e.Cause }

// Messages shared by several handlers.
const (
	msgInternal     = "系统繁忙，请稍后再试。"
	msgBadJSON      = "请求格式有误，请刷新页面后重试。"
	msgCSRF         = "页面已过期，请刷新页面后重试。"
	msgLoginFirst   = "请先登录。"
	msgForbidden    = "您没有访问该页面的权限。"
	msgNotFound     = "您访问的页面不存在。"
	msgNoBot        = "智能客服正在更新知识库，请稍后再试。"
	msgNoSession    = "未找到您的服务会话，请重新转人工。"
	msgAfterHours   = "当前为非工作时间，人工客服暂不在线，您可以留言，工作人员将在人工服务时间内尽快与您联系。"
	msgNotClosed    = "服务结束后才能评价。"
	msgAlreadyRated = "您已评价过本次服务，感谢您的支持。"
	msgInvalidText  = "内容含有无法识别的字符，请检查后重新输入。"
	msgNoSeat       = "当前暂无人工客服在线，您可以留言，工作人员将尽快与您联系。"
	msgTooMany      = "操作过于频繁，请稍后再试。"
	// msgMustChangePassword is the reply to a JSON request of an account whose
	// password was handed over and not yet changed.
	msgMustChangePassword = "请先修改初始密码，再使用坐席功能。"
	msgQueueFull          = "当前排队人数较多，请您留言，工作人员将尽快与您联系。"
	// msgBotNoMatch stands for the bot in a handoff transcript when it
	// found no answer.
	msgBotNoMatch = "智能客服未找到匹配的答案。"
)

func badRequest(message string, cause error) *appError {
	return &appError{Status: http.StatusBadRequest, Message: message, Cause: cause}
}

func internalError(cause error) *appError {
	return &appError{Status: http.StatusInternalServerError, Message: msgInternal, Cause: cause}
}

// asAppError turns any handler error into an appError. Validation errors of
// the services carry messages meant for users and keep them; every other
// error becomes a 500 whose text stays in the log.
func asAppError(err error) *appError {
	var ae *appError
	if errors.As(err, &ae) {
		return ae
	}

	var ci *conversation.InputError
	if errors.As(err, &ci) {
		ae := badRequest(ci.Message, err)
		ae.Field = ci.Field
		return ae
	}
	var ai *auth.InputError
	if errors.As(err, &ai) {
		return badRequest(ai.Message, err)
	}

	switch {
	case errors.Is(err, conversation.ErrNotFound):
		return &appError{Status: http.StatusNotFound, Message: "未找到该会话。", Cause: err}
	case errors.Is(err, conversation.ErrBadToken):
		return &appError{Status: http.StatusUnauthorized, Message: msgNoSession, Cause: err}
	case errors.Is(err, conversation.ErrNotClosed):
		return &appError{Status: http.StatusConflict, Message: msgNotClosed, Cause: err}
	case errors.Is(err, conversation.ErrAlreadyRated):
		return &appError{Status: http.StatusConflict, Message: msgAlreadyRated, Cause: err}
	case errors.Is(err, conversation.ErrQueueFull):
		return &appError{Status: http.StatusServiceUnavailable, Message: msgQueueFull, Cause: err, LeaveMessage: true}
	case errors.Is(err, auth.ErrCSRF):
		return &appError{Status: http.StatusForbidden, Message: msgCSRF, Cause: err}
	case errors.Is(err, auth.ErrForbidden):
		return &appError{Status: http.StatusForbidden, Message: msgForbidden, Cause: err}
	}
	return internalError(err)
}
