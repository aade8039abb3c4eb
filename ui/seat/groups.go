package seat

// GroupItem is one group window in the history list.
type GroupItem struct {
	// ID is the window's record id, not its join link.
	ID        string
	AgentName string
	Opened    string
	// Closed is empty while the window is open.
	Closed string
	// SeatGone is set when the hub closed the window because the staff
	// member's seat pages were gone.
	SeatGone   bool
	Members    int
	Recordings int
}

// GroupTranscript is the history page of one group window.
type GroupTranscript struct {
	Nav  Nav
	Item GroupItem
	// Folder is the id the window's recordings are listed under.
	Folder  string
	Members []GroupMemberItem
}

// GroupMemberItem is one citizen's stay in a group window.
type GroupMemberItem struct {
	ConversationID string
	Joined         string
	// Left is empty while the citizen is still in the window.
	Left string
}

func groupStateText(it GroupItem) string {
	switch {
	case it.Closed == "":
		return "进行中"
	case it.SeatGone:
		return "客服离线后自动关闭"
	}
	return "已关闭"
}
