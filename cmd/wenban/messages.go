package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"wenban/appliance/bot"
	"wenban/firmware/update"
)

// writeEvalReport prints the figures of kb eval for staff. The latency
// lines keep the standard terms p50 and p99.
func writeEvalReport(w io.Writer, r bot.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "首位准确率：%d/%d = %.1f%%\n", r.Correct, r.InScope, 100*r.Top1)
	fmt.Fprintf(&b, "库外问题正确拒答：%d/%d = %.1f%%\n", r.Rejected, r.OutOfScope, 100*r.Rejection)
	fmt.Fprintf(&b, "响应时间：p50 %v，p99 %v\n", r.P50, r.P99)
	if len(r.Misses) > 0 {
		fmt.Fprintf(&b, "未答对的问题（%d 句）：\n", len(r.Misses))
	}
	for _, m := range r.Misses {
		got := m.Got
		if got == "" {
			got = "（未匹配）"
		}
		fmt.Fprintf(&b, "  「%s」：应为 %s，实际 %s，得分 %.3f\n", m.Q, m.Expect, got, m.Score)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// statusUserMessage puts the Simplified Chinese text for an update status
// error in front of the English detail. A layout error gets its own text,
// because the shared one speaks of installing an update.
func statusUserMessage(err error) error {
	if errors.Is(err, update.ErrInvalidLayout) {
		return fmt.Errorf("本机启动分区或设备信息不完整，无法读取更新状态；请在问办终端上运行，或用 --esp、--slot-a、--slot-b、--cmdline 指定本机的分区和内核启动参数文件。\n详细信息：%w", err)
	}
	return withUserMessage(err)
}
