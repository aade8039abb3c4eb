package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"wenban/appliance/config"
	"wenban/appliance/policy"
	"wenban/appliance/seal"
	"wenban/appliance/store"
)

func runPolicy(ctx context.Context, args []string, out, errOut io.Writer) error {
	sub := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"update": runPolicyUpdate,
		"check":  runPolicyCheck,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		printUnknownSubcommand(errOut, "policy", args)
		fmt.Fprintln(errOut, "usage: wenban policy update|check [flags]")
		fmt.Fprintln(errOut, "  update --data DIR [--source SOURCE]  立即从更新源更新政策法规库（须先停止服务）")
		fmt.Fprintln(errOut, "  check SOURCE                         只检查更新源（目录或清单网址）能否通过，不修改任何数据")
		return errUsage
	}
	return sub[args[0]](ctx, args[1:], out, errOut)
}

// runPolicyUpdate runs one update into the data folder's library, from
// policy.source or the --source flag.
func runPolicyUpdate(ctx context.Context, args []string, out, errOut io.Writer) error {
	var source string
	cfg, rest, err := kbFlags("policy update", args, errOut, func(fs *pflag.FlagSet) {
		fs.StringVar(&source, "source", "", "update source: an absolute folder or a manifest URL (default policy.source)")
	})
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		fmt.Fprintln(errOut, "usage: wenban policy update --data DIR [--source SOURCE]")
		return errUsage
	}
	if source == "" {
		source = cfg.Policy.Source
	}

	db, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	return updateLibrary(ctx, db, cfg, source, out)
}

// runPolicyCheck runs an update from the source into a throwaway library
// in a temporary folder, so that every check of a real run applies.
func runPolicyCheck(ctx context.Context, args []string, out, errOut io.Writer) error {
	cfg, rest, err := kbFlags("policy check", args, errOut, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fmt.Fprintln(errOut, "usage: wenban policy check SOURCE")
		return errUsage
	}

	dir, err := os.MkdirTemp("", "wenban-policy-check-")
	if err != nil {
		return fmt.Errorf("creating temporary folder: %w", err)
	}
	defer os.RemoveAll(dir)
	key, err := seal.NewDataKey()
	if err != nil {
		return err
	}
	master, err := seal.NewMasterKey(key)
	if err != nil {
		return err
	}
	db, err := store.Open(dir+"/check.db", master)
	if err != nil {
		return err
	}
	defer db.Close()

	cfg.Policy.StagingDir = dir
	return updateLibrary(ctx, db, cfg, rest[0], out)
}

func updateLibrary(ctx context.Context, db *store.DB, cfg config.Config, source string, out io.Writer) error {
	if err := policy.CheckSource(source); err != nil {
		return fmt.Errorf("更新源 %s 无效，请填写文件夹的绝对路径或 http(s) 地址。\n详细信息：%w", source, err)
	}
	staging := cfg.PolicyStagingDir()
	if err := os.MkdirAll(staging, 0o700); err != nil {
		return fmt.Errorf("creating policy staging folder %s: %w", staging, err)
	}
	lib, err := policy.Open(db, policy.Options{StagingDir: staging})
	if err != nil {
		return err
	}
	defer lib.Close()

	src, err := policy.NewSource(source, policy.HTTPOptions{Timeout: cfg.Policy.Timeout})
	if err != nil {
		return fmt.Errorf("无法打开更新源 %s，请检查路径或网络后重试。\n详细信息：%w", source, err)
	}
	defer src.Close()
	r, runErr := lib.Update(ctx, src, policy.TriggerCommand)
	printReport(out, r)
	if runErr != nil {
		return fmt.Errorf("政策法规库更新未生效。\n详细信息：%w", runErr)
	}
	return nil
}

func printReport(out io.Writer, r policy.Report) {
	fmt.Fprintf(out, "更新源：%s\n", r.Source)
	for _, group := range []struct {
		label   string
		changes []policy.Change
	}{{"新增", r.Added}, {"修改", r.Changed}, {"废止", r.Repealed}, {"未通过检查", r.Failed}} {
		for _, c := range group.changes {
			fmt.Fprintf(out, "%s\t%s\t%s\t%s\n", group.label, c.ID, c.Version, c.Reason)
		}
	}
	if r.OK {
		fmt.Fprintf(out, "已完成：新增 %d 件，修改 %d 件，废止 %d 件，未变 %d 件。\n",
			len(r.Added), len(r.Changed), len(r.Repealed), r.Unchanged)
		return
	}
	fmt.Fprintf(out, "未生效：%s。政策法规库保持不变。\n", r.Error)
}
