package policy

import "strconv"

// statusClass colours a status: in force plain, amended and repealed
// marked so a citizen does not rely on them by mistake.
func statusClass(status string) string {
	switch status {
	case "已废止":
		return "repealed"
	case "已修订":
		return "amended"
	}
	return "in-force"
}

func utoa(n uint64) string { return strconv.FormatUint(n, 10) }

// triggerLabel names what started an update run.
func triggerLabel(trigger string) string {
	switch trigger {
	case "schedule":
		return "定时"
	case "admin":
		return "管理员手动"
	case "seed":
		return "首次启动"
	case "command":
		return "命令行"
	}
	return trigger
}
