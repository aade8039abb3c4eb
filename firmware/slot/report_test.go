package slot

import (
	"fmt"
	"strings"
	"testing"
)

func TestReportString(t *testing.T) {
	state := pendingState(t)
	if _, err := state.BootAttempt(); err != nil {
		t.Fatal(err)
	}

	got := state.Status().String()
	for _, want := range []string{
		"启动槽位：B\n",
		"槽位 A：版本 1.2.0，状态正常\n",
		"槽位 B：版本 1.3.0，待确认，剩余启动尝试 2 次\n",
		"已将版本 1.3.0 写入槽位 B",
		"槽位 B 尚未确认正常，确认前不能安装新的更新包。\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}

	if err := state.Bless(B); err != nil {
		t.Fatal(err)
	}
	got = state.Status().String()
	for _, want := range []string{"槽位 B 的版本 1.3.0 已确认正常", "下次更新将写入槽位 A。\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("report after Bless lacks %q:\n%s", want, got)
		}
	}
}

func TestUserMessageCoversErrors(t *testing.T) {
	all := []error{
		ErrInvalidSlot, ErrInvalidState, ErrStateChanged, ErrNotBlessed, ErrWrongSlot,
		ErrSlotTooSmall, ErrSourceChanged, ErrReadBack, ErrNotBootable,
	}
	for _, err := range all {
		if got := UserMessage(fmt.Errorf("applying: %w", err)); got == "" {
			t.Errorf("UserMessage(%v): got empty, want a message", err)
		}
	}
	if got := UserMessage(fmt.Errorf("disk full")); got != "" {
		t.Errorf("UserMessage(other error): got %q, want empty", got)
	}
}
