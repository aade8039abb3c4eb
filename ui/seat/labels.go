package seat

import "strconv"

// Statuses are the seat statuses in the order the status switch lists them.
var Statuses = []Option{
	{Value: "online", Label: "在线"},
	{Value: "busy", Label: "忙碌"},
	{Value: "break", Label: "小休"},
	{Value: "offline", Label: "离线"},
}

var stateLabels = map[string]string{
	"queued":  "排队中",
	"serving": "服务中",
	"closed":  "已结束",
}

var channelLabels = map[string]string{
	"web":    "网页",
	"mobile": "移动端",
	"kiosk":  "自助终端",
}

var senderLabels = map[string]string{
	"citizen": "市民",
	"bot":     "智能客服",
	"agent":   "客服",
	"system":  "系统",
}

// StateLabel returns the Chinese name of a conversation state.
func StateLabel(state string) string { return labelOr(stateLabels, state) }

// ChannelLabel returns the Chinese name of an access channel.
func ChannelLabel(channel string) string { return labelOr(channelLabels, channel) }

// authorLabel names the writer of m: the seat's own name for agents, the
// role otherwise.
func authorLabel(m Message) string {
	if m.From == "agent" && m.Author != "" {
		return m.Author
	}
	return labelOr(senderLabels, m.From)
}

func labelOr(labels map[string]string, key string) string {
	if l, ok := labels[key]; ok {
		return l
	}
	return key
}

func topicOr(topic string) string {
	if topic == "" {
		return "（未填写咨询主题）"
	}
	return topic
}

func itoa(n int) string { return strconv.Itoa(n) }

func utoa(n uint64) string { return strconv.FormatUint(n, 10) }

func boolText(b bool) string { return strconv.FormatBool(b) }

func stars(n int) string {
	s := ""
	for i := 1; i <= 5; i++ {
		if i <= n {
			s += "★"
		} else {
			s += "☆"
		}
	}
	return s
}

func (w Workbench) activeCount() int { return len(w.Chats) }

// full reports whether the seat serves as many conversations as it may, so
// it cannot accept another citizen.
func (w Workbench) full() bool { return w.activeCount() >= w.MaxChats }

// capacityTitle is the tooltip of the accept button, empty while the seat
// can accept.
func capacityTitle(full bool) string {
	if full {
		return capacityText
	}
	return ""
}

// capacityText explains the disabled accept buttons; seat-view.js holds
// the same words for the buttons it updates.
const capacityText = "已达同时服务上限，请先结束一个会话再接入。"

// citizenLabel names the n-th conversation of the workbench, as in
// "市民 1". It returns "" for zero, the number of the templates that
// seat.js fills in.
func citizenLabel(n int) string {
	if n <= 0 {
		return ""
	}
	return "市民 " + strconv.Itoa(n)
}

func tabTitle(c Chat, n int) string {
	title := topicOr(c.Topic)
	if label := citizenLabel(n); label != "" {
		title = label + " · " + title
	}
	if c.Channel != "" {
		title += "（" + ChannelLabel(c.Channel) + "）"
	}
	return title
}
