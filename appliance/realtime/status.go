package realtime

import "fmt"

// Status is a seat's availability as its staff member sets it.
type Status int

// Seat statuses. Only online seats accept citizens and receive transfers.
const (
	StatusUnknown Status = iota
	StatusOnline         // 在线
	StatusBusy           // 忙碌
	StatusBreak          // 小休
	StatusOffline        // 离线
)

var statusNames = [...]string{"unknown", "online", "busy", "break", "offline"}

func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// ParseStatus parses the String form of a status.
func ParseStatus(v string) (Status, error) {
	for i, n := range statusNames[1:] {
		if n == v {
			return Status(i + 1), nil
		}
	}
	return StatusUnknown, fmt.Errorf("unknown seat status %q", v)
}
