package realtime

import (
	"errors"

	"wenban/appliance/conversation"
)

var (
	errBinaryFrame = errors.New("binary frame where JSON text was expected")
	errBadFrame    = errors.New("frame is not valid JSON")
)

// errorFrame turns a service error into a frame with a Chinese message.
// Unknown errors become "internal" and keep their text out of the page.
func errorFrame(err error, clientID string) outFrame {
	code, text := "internal", "系统繁忙，请稍后重试。"
	var ie *conversation.InputError
	switch {
	case errors.As(err, &ie):
		code, text = "invalid", ie.Message
	case errors.Is(err, conversation.ErrTaken):
		code, text = "taken", "该市民已被其他客服接入，请选择其他会话。"
	case errors.Is(err, conversation.ErrQueueEmpty):
		code, text = "queue_empty", "当前没有排队等候的市民。"
	case errors.Is(err, conversation.ErrAtCapacity):
		code, text = "at_capacity", "您同时服务的会话已达上限，请先结束部分会话。"
	case errors.Is(err, conversation.ErrNotOwner):
		code, text = "not_owner", "该会话不由您负责，无法操作。"
	case errors.Is(err, conversation.ErrClosed):
		code, text = "closed", "该会话已结束。"
	case errors.Is(err, conversation.ErrNotFound):
		code, text = "not_found", "未找到该会话。"
	case errors.Is(err, errNotOnline):
		code, text = "not_online", "请先将状态切换为“在线”再接入市民。"
	case errors.Is(err, errTargetOffline):
		code, text = "not_online", "对方客服当前不在线，无法转接。"
	case errors.Is(err, conversation.ErrRecallExpired):
		code, text = "recall_expired", "消息发出已超过 2 分钟，无法撤回。"
	case errors.Is(err, errTooFast):
		code, text = "rate_limited", "您发送得太快了，请稍后再发送。"
	case errors.Is(err, errBadFrame), errors.Is(err, errBinaryFrame), errors.Is(err, errUnknownCommand):
		code, text = "invalid", "请求格式无效，请刷新页面后重试。"
	}
	return outFrame{Type: frameError, Code: code, Text: text, ClientID: clientID}
}

var (
	errNotOnline      = errors.New("agent is not online")
	errTargetOffline  = errors.New("transfer target is not online")
	errUnknownCommand = errors.New("unknown command")
	errTooFast        = errors.New("messages sent faster than the rate limit")
)
