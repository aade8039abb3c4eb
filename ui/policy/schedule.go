package policy

import (
	"fmt"
	"strconv"
	"strings"
)

var weekdayNames = []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六", "周日"}

// scheduleWords describes a five-field cron expression in Chinese for the
// common shapes (daily, weekly, monthly at one time) and returns "" for any
// other expression, which the page then shows as written.
func scheduleWords(expr string) string {
	switch strings.TrimSpace(expr) {
	case "@daily", "@midnight":
		return "每天 0:00"
	case "@weekly":
		return "每周日 0:00"
	case "@monthly":
		return "每月 1 日 0:00"
	}
	f := strings.Fields(expr)
	if len(f) != 5 || f[3] != "*" {
		return ""
	}
	minute, err1 := strconv.Atoi(f[0])
	hour, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || minute < 0 || minute > 59 || hour < 0 || hour > 23 {
		return ""
	}
	at := fmt.Sprintf("%d:%02d", hour, minute)

	switch {
	case f[2] == "*" && f[4] == "*":
		return "每天 " + at
	case f[2] == "*":
		day, err := strconv.Atoi(f[4])
		if err != nil || day < 0 || day > 7 {
			return ""
		}
		return "每" + weekdayNames[day] + " " + at
	case f[4] == "*":
		day, err := strconv.Atoi(f[2])
		if err != nil || day < 1 || day > 31 {
			return ""
		}
		return fmt.Sprintf("每月 %d 日 %s", day, at)
	}
	return ""
}
