package call

import (
	"fmt"
	"time"

	"wenban/appliance/conversation"
)

// The system lines of call events, as both sides read them in the
// transcript. The line's own timestamp gives the time of the event.

func kindText(k Kind) string {
	if k == KindVideo {
		return "视频通话"
	}
	return "语音通话"
}

func inviteLine(c Call) string {
	text := fmt.Sprintf("市民发起%s，等待%s接听。", kindText(c.Kind), conversation.StaffLead(c.Agent.Name))
	if c.Caller == PartyStaff {
		text = fmt.Sprintf("%s发起%s，等待市民接听。", conversation.StaffLead(c.Agent.Name), kindText(c.Kind))
	}
	if c.Recording {
		text += c.RecordingNotice
	}
	return text
}

func acceptLine(c Call) string {
	return fmt.Sprintf("%s已接通（%s）。", kindText(c.Kind), conversation.StaffMention(c.Agent.Name))
}

func holdLine(on bool) string {
	if on {
		return "客服已将通话保持，请稍候。"
	}
	return "客服已恢复通话。"
}

func transferLine(from, to Agent) string {
	return fmt.Sprintf("通话随会话由%s转接给%s。", conversation.StaffLead(from.Name), conversation.StaffMention(to.Name))
}

func partyText(p Party, c Call) string {
	if p == PartyStaff {
		return conversation.StaffLead(c.Agent.Name)
	}
	return "市民"
}

func endLine(c Call, by Party) string {
	kind := kindText(c.Kind)
	switch c.Reason {
	case ReasonTimeout:
		return fmt.Sprintf("%s无人接听，已转为文字交流，您可以继续在此留言。", kind)
	case ReasonDeclined:
		return fmt.Sprintf("%s已被%s拒绝，可继续文字交流。", kind, partyText(by, c))
	case ReasonCancelled:
		return fmt.Sprintf("%s已由%s取消。", kind, partyText(by, c))
	}
	if c.AnsweredAt.IsZero() {
		return fmt.Sprintf("%s未接通，已取消。", kind)
	}
	text := fmt.Sprintf("%s已结束，通话时长 %s。", kind, durationText(c.Duration()))
	if c.Reason == ReasonSeatGone {
		text = fmt.Sprintf("%s已离线，%s已结束，通话时长 %s。", conversation.StaffLead(c.Agent.Name), kind, durationText(c.Duration()))
	}
	if c.Reason == ReasonHangup {
		text = fmt.Sprintf("%s已由%s挂断，通话时长 %s。", kind, partyText(by, c), durationText(c.Duration()))
	}
	return text
}

// durationText writes a duration as the service hall writes it:
// "2分05秒", or "1小时02分05秒" past the hour.
func durationText(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	h, m, sec := s/3600, s%3600/60, s%60
	if h > 0 {
		return fmt.Sprintf("%d小时%02d分%02d秒", h, m, sec)
	}
	return fmt.Sprintf("%d分%02d秒", m, sec)
}

func groupJoinLine(g *activeGroup) string {
	return fmt.Sprintf("您已加入%s的集体服务窗口，发言需经客服允许。", conversation.StaffLead(g.Agent.Name))
}

func groupLeaveLine(g *activeGroup, d time.Duration, closed bool) string {
	if closed && g.SeatGone {
		return fmt.Sprintf("%s已离线，集体服务窗口已关闭，参与时长 %s。", conversation.StaffLead(g.Agent.Name), durationText(d))
	}
	if closed {
		return fmt.Sprintf("集体服务窗口已由客服关闭，参与时长 %s。", durationText(d))
	}
	return fmt.Sprintf("您已离开集体服务窗口，参与时长 %s。", durationText(d))
}

func speakLine(allowed bool) string {
	if allowed {
		return "客服已允许您发言，麦克风已开启。"
	}
	return "客服已关闭您的发言权限。"
}
