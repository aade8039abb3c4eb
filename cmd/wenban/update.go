package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/pflag"

	"wenban/firmware/semver"
	"wenban/firmware/slot"
	"wenban/firmware/update"
)

// terminalFlags locate the terminal's ESP, slot devices and firmware
// files. The defaults are the paths on the Wenban image.
type terminalFlags struct {
	esp, slotA, slotB, cmdline, info, keys *string
}

func addTerminalFlags(fs *pflag.FlagSet) *terminalFlags {
	return &terminalFlags{
		esp:     fs.String("esp", "/efi", "mounted EFI system partition"),
		slotA:   fs.String("slot-a", "/dev/disk/by-partlabel/wenban-root-a", "root slot A device"),
		slotB:   fs.String("slot-b", "/dev/disk/by-partlabel/wenban-root-b", "root slot B device"),
		cmdline: fs.String("cmdline", "/proc/cmdline", "kernel command line naming the running slot"),
		info:    fs.String("firmware-info", "/usr/lib/wenban/firmware.json", "running root's version, hardware class and floor"),
		keys:    fs.String("trusted-keys", "/usr/lib/wenban/firmware-keys.pem", "public keys that updates must be signed with (PEM)"),
	}
}

func (f terminalFlags) terminal() update.Terminal {
	return update.Terminal{
		ESP:         *f.esp,
		Devices:     map[slot.Slot]string{slot.A: *f.slotA, slot.B: *f.slotB},
		CmdlinePath: *f.cmdline,
		InfoPath:    *f.info,
		KeysPath:    *f.keys,
	}
}

// withUserMessage puts the Simplified Chinese text for err in front of
// the English detail, which names the file, slot or version.
func withUserMessage(err error) error {
	if msg := update.UserMessage(err); msg != "" {
		return fmt.Errorf("%s\n详细信息：%w", msg, err)
	}
	return err
}

func toolLogger(errOut io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(errOut, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func runUpdate(ctx context.Context, args []string, out, errOut io.Writer) error {
	sub := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"apply":  runUpdateApply,
		"status": runUpdateStatus,
		"pull":   runUpdatePull,
		"seed":   runUpdateSeed,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		printUnknownSubcommand(errOut, "update", args)
		fmt.Fprintln(errOut, "usage: wenban update apply|status|pull|seed [flags]")
		fmt.Fprintln(errOut, "  apply [--reinstall] BUNDLE  校验并把更新包写入备用槽位，重启后生效")
		fmt.Fprintln(errOut, "  status [--json]             显示两个槽位的版本、启动状态和最近一次更新结果")
		fmt.Fprintln(errOut, "  pull --hub URL              从服务中心下载本机型的最新更新包并安装")
		fmt.Fprintln(errOut, "  seed --esp DIR ...          制作镜像时写入出厂槽位的启动项（构建脚本使用）")
		return errUsage
	}
	return sub[args[0]](ctx, args[1:], out, errOut)
}

func runUpdateApply(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban update apply", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	term := addTerminalFlags(fs)
	reinstall := fs.Bool("reinstall", false, "accept a version not newer than the running one (never below the floor)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(errOut, "usage: wenban update apply [--reinstall] BUNDLE")
		return errUsage
	}

	applied, err := update.Apply(ctx, term.terminal(), fs.Arg(0), update.Options{AllowReinstall: *reinstall}, toolLogger(errOut))
	if err != nil {
		return withUserMessage(err)
	}
	fmt.Fprintf(out, "已将版本 %s 写入槽位 %s 并校验无误。重启后启动新版本，最多尝试 %d 次；新版本确认正常前，原系统保持不变。\n",
		applied.Version, applied.Slot, slot.BootTries)
	return nil
}

func runUpdateStatus(_ context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban update status", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	term := addTerminalFlags(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(errOut, "usage: wenban update status [--json]")
		return errUsage
	}

	r, err := update.Status(term.terminal())
	if err != nil {
		return statusUserMessage(err)
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprint(out, r.String())
	return nil
}

func runUpdateSeed(_ context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban update seed", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	esp := fs.String("esp", "", "ESP folder being assembled")
	slotName := fs.String("slot", "A", "slot the factory image is in")
	version := fs.String("version", "", "factory image version")
	kernel := fs.String("kernel", "", "kernel image")
	initrd := fs.String("initrd", "", "initrd")
	// consoleblank=0 turns off the blanking of the kernel console.
	options := fs.String("options", "console=tty0 console=ttyS0,115200 panic=10 consoleblank=0", "kernel options besides the root device and slot")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 || *esp == "" || *version == "" || *kernel == "" || *initrd == "" {
		fmt.Fprintln(errOut, "usage: wenban update seed --esp DIR --slot A --version V --kernel FILE --initrd FILE [--options OPTS]")
		return errUsage
	}

	s, err := slot.ParseSlot(*slotName)
	if err != nil {
		return err
	}
	v, err := semver.Parse(*version)
	if err != nil {
		return fmt.Errorf("--version %q: %w", *version, err)
	}
	opts := update.SeedOptions{Slot: s, Version: v, Kernel: *kernel, Initrd: *initrd, KernelOptions: *options}
	if err := update.Seed(*esp, opts); err != nil {
		return err
	}
	fmt.Fprintf(out, "已写入槽位 %s 的出厂启动项（版本 %s）。\n", s, v)
	return nil
}
