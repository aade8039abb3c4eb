package slot

import (
	"fmt"
	"strings"
	"time"
)

// Report is a snapshot of the state for `wenban update status`.
type Report struct {
	Active     Slot   `json:"active"`
	A          Record `json:"a"`
	B          Record `json:"b"`
	LastResult Result `json:"last_result"`
	// WriteTarget is the slot the next Apply would write, or "" while the
	// active slot awaits its blessing.
	WriteTarget Slot `json:"write_target"`
}

// Status returns a snapshot of the state.
func (s *State) Status() Report {
	s.mu.Lock()
	defer s.mu.Unlock()

	target, err := s.data.writeTarget()
	if err != nil {
		target = ""
	}
	return Report{
		Active:      s.data.Active,
		A:           s.data.A,
		B:           s.data.B,
		LastResult:  s.data.LastResult,
		WriteTarget: target,
	}
}

// String formats the report in Simplified Chinese for technicians, one
// fact per line. Times are shown in the local time zone.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "启动槽位：%s\n", r.Active)
	for _, slot := range []Slot{A, B} {
		fmt.Fprintf(&b, "槽位 %s：%s\n", slot, describeRecord(r.record(slot)))
	}
	fmt.Fprintf(&b, "最近结果：%s\n", describeResult(r.LastResult))

	if r.WriteTarget != "" {
		fmt.Fprintf(&b, "下次更新将写入槽位 %s。\n", r.WriteTarget)
	} else {
		fmt.Fprintf(&b, "槽位 %s 尚未确认正常，确认前不能安装新的更新包。\n", r.Active)
	}
	return b.String()
}

func (r Report) record(slot Slot) Record {
	if slot == A {
		return r.A
	}
	return r.B
}

func describeRecord(rec Record) string {
	switch rec.Status {
	case StatusEmpty:
		return "空（未安装系统）"
	case StatusGood:
		return fmt.Sprintf("版本 %s，状态正常", rec.Version)
	case StatusPending:
		return fmt.Sprintf("版本 %s，待确认，剩余启动尝试 %d 次", rec.Version, rec.TriesLeft)
	case StatusBad:
		return fmt.Sprintf("版本 %s，启动失败，已停用", rec.Version)
	}
	return fmt.Sprintf("版本 %s，状态未知（%s）", rec.Version, rec.Status)
}

func describeResult(res Result) string {
	at := res.At.Local().Format(time.DateTime)
	switch res.Kind {
	case ResultProvisioned:
		return fmt.Sprintf("%s 初始化，槽位 %s 安装版本 %s", at, res.Slot, res.Version)
	case ResultInstalled:
		return fmt.Sprintf("%s 已将版本 %s 写入槽位 %s，重启后启动，运行正常后自动确认", at, res.Version, res.Slot)
	case ResultBlessed:
		return fmt.Sprintf("%s 槽位 %s 的版本 %s 已确认正常", at, res.Slot, res.Version)
	case ResultRolledBack:
		return fmt.Sprintf("%s 槽位 %s 的版本 %s 连续 %d 次启动未确认，已回退到槽位 %s",
			at, res.Slot, res.Version, BootTries, res.Slot.Other())
	}
	return fmt.Sprintf("%s 未知操作（%s）", at, res.Kind)
}
