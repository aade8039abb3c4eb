package update

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"wenban/firmware/semver"
	"wenban/firmware/slot"
)

// ResultKind names the outcome of the last install.
type ResultKind string

const (
	// ResultNone means nothing was ever installed after the factory image.
	ResultNone ResultKind = "none"
	// ResultInstalled means a slot was written and awaits its first boots.
	ResultInstalled ResultKind = "installed"
	// ResultBlessed means the installed slot booted and passed the
	// health gate.
	ResultBlessed ResultKind = "blessed"
	// ResultRolledBack means the installed slot used up its tries and the
	// boot loader went back to the other slot.
	ResultRolledBack ResultKind = "rolled_back"
	// ResultInterrupted means the install stopped before it added the boot
	// entry, so the slot never boots.
	ResultInterrupted ResultKind = "interrupted"
)

// Result is the last install and what became of it.
type Result struct {
	Kind    ResultKind     `json:"kind"`
	Slot    slot.Slot      `json:"slot,omitempty"`
	Version semver.Version `json:"version,omitzero"`
	At      time.Time      `json:"at,omitzero"`
}

// SlotReport is one slot in a Report.
type SlotReport struct {
	Slot    slot.Slot  `json:"slot"`
	Release Release    `json:"release"`
	Entry   EntryState `json:"entry"`
	// TriesLeft is the boot loader's counter of a pending entry.
	TriesLeft int `json:"tries_left"`
}

// Report is the terminal's update state for `wenban update status`.
type Report struct {
	Running slot.Slot    `json:"running"`
	Slots   []SlotReport `json:"slots"`
	// LastResult is the recorded install with its outcome derived from
	// the boot entries.
	LastResult Result `json:"last_result"`
	// WriteTarget is the slot the next Apply writes, or "" while the
	// running boot awaits its blessing.
	WriteTarget slot.Slot `json:"write_target"`
}

// Status reads the boot entries, release records and the last install.
func Status(t Terminal) (Report, error) {
	running, err := t.RunningSlot()
	if err != nil {
		return Report{}, err
	}
	entries, err := readEntries(t.ESP)
	if err != nil {
		return Report{}, err
	}

	r := Report{Running: running}
	for _, s := range []slot.Slot{slot.A, slot.B} {
		release, err := t.readRelease(s)
		if err != nil {
			return Report{}, err
		}
		e := entries[s]
		r.Slots = append(r.Slots, SlotReport{Slot: s, Release: release, Entry: e.State, TriesLeft: e.TriesLeft})
	}
	if entries[running].State == EntryGood {
		r.WriteTarget = running.Other()
	}

	last, err := t.readResult()
	if err != nil {
		return Report{}, err
	}
	r.LastResult = deriveResult(last, entries)
	return r, nil
}

// deriveResult turns the recorded install into its outcome, which only
// the boot loader's entry names record.
func deriveResult(last Result, entries map[slot.Slot]Entry) Result {
	if last.Kind != ResultInstalled {
		return last
	}
	switch entries[last.Slot].State {
	case EntryGood:
		last.Kind = ResultBlessed
	case EntryBad:
		last.Kind = ResultRolledBack
	case EntryNone:
		last.Kind = ResultInterrupted
	}
	return last
}

func (t Terminal) readResult() (Result, error) {
	path := filepath.Join(t.ESP, espSlotsDir, resultName)
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return Result{Kind: ResultNone}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("reading last update result: %w", err)
	}

	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return Result{}, fmt.Errorf("%w: last update result %s: %w", ErrInvalidLayout, path, err)
	}
	return r, nil
}

func (t Terminal) writeResult(r Result) error {
	return writeJSON(filepath.Join(t.ESP, espSlotsDir, resultName), r)
}

// String formats the report in Simplified Chinese for technicians.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "当前运行槽位：%s\n", r.Running)
	for _, s := range r.Slots {
		fmt.Fprintf(&b, "槽位 %s：%s\n", s.Slot, describeSlot(s))
	}
	fmt.Fprintf(&b, "最近一次更新：%s\n", describeResult(r.LastResult))
	if r.WriteTarget != "" {
		fmt.Fprintf(&b, "下次更新写入槽位：%s\n", r.WriteTarget)
	} else {
		fmt.Fprintf(&b, "下次更新写入槽位：无（当前系统尚未确认正常）\n")
	}
	return b.String()
}

func describeSlot(s SlotReport) string {
	version := "无系统"
	if !s.Release.Version.IsZero() {
		version = "版本 " + s.Release.Version.String()
	}
	switch s.Entry {
	case EntryGood:
		return version + "，已确认正常"
	case EntryPending:
		return fmt.Sprintf("%s，待确认（剩余 %d 次启动尝试）", version, s.TriesLeft)
	case EntryBad:
		return version + "，启动失败已停用"
	default:
		return version + "，无启动项"
	}
}

func describeResult(r Result) string {
	at := ""
	if !r.At.IsZero() {
		at = "，" + r.At.Local().Format("2006-01-02 15:04:05")
	}
	switch r.Kind {
	case ResultInstalled:
		return fmt.Sprintf("已安装 %s 到槽位 %s，等待重启确认%s", r.Version, r.Slot, at)
	case ResultBlessed:
		return fmt.Sprintf("%s（槽位 %s）已确认正常%s", r.Version, r.Slot, at)
	case ResultRolledBack:
		return fmt.Sprintf("%s（槽位 %s）启动失败，已自动回退%s", r.Version, r.Slot, at)
	case ResultInterrupted:
		return fmt.Sprintf("%s 安装到槽位 %s 时中断，该槽位不会启动%s", r.Version, r.Slot, at)
	default:
		return "无"
	}
}
