package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"wenban/appliance/audit"
	"wenban/appliance/config"
	"wenban/appliance/kb"
	"wenban/appliance/learn"
	"wenban/appliance/policy"
	"wenban/appliance/store"
)

func runKBImport(ctx context.Context, args []string, out, errOut io.Writer) error {
	var replace, force bool
	cfg, files, err := kbFlags("kb import", args, errOut, func(fs *pflag.FlagSet) {
		fs.BoolVar(&replace, "replace", false, "replace the whole knowledge base with the file's entries")
		fs.BoolVar(&force, "force", false, "publish even when the retrain gate reports a drop in top-1 accuracy, or when --replace deletes or retires more than half of the live entries (a warning is printed)")
	})
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fmt.Fprintln(errOut, "usage: wenban kb import --data DIR [--replace] [--force] FILE")
		return errUsage
	}

	entries, err := decodeFile(files[0])
	if err != nil {
		return err
	}
	svc, db, seeded, err := openLearn(cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := svc.Draft(ctx)
	if err != nil {
		return err
	}
	if d.State.Pending > 0 {
		fmt.Fprintf(out, "注意：草稿中有 %d 处未发布的修改，将随本次导入一并发布。\n", d.State.Pending)
	}
	loss, err := checkImport(ctx, cfg, svc, db, d, entries, replace && !seeded, force)
	if err != nil {
		return fmt.Errorf("文件 %s 未导入，知识库保持不变：%w", files[0], err)
	}

	// The gate trains on the result before anything is stored, so a set the
	// engine cannot use or that lowers accuracy leaves the knowledge base
	// as it was.
	res, outcome, err := svc.ImportAndPublish(ctx, cliStaff, entries, replace, filepath.Base(files[0]), force)
	if err != nil {
		return fmt.Errorf("文件 %s 未导入，知识库保持不变：%w", files[0], err)
	}
	fmt.Fprintf(out, "导入完成：新增 %d 条，更新 %d 条，删除 %d 条；已发布为知识库第 %d 版「%s」，共 %d 条，训练用时 %v\n",
		res.Added, res.Updated, res.Removed, outcome.Version.Number, outcome.Version.Name,
		len(kb.Active(outcome.Version.Items)), outcome.Took.Round(time.Millisecond))
	if loss.excessive() {
		fmt.Fprintf(out, "警告：已按 --force 整体替换，对外服务的 %d 条知识中 %d 条已删除或停用，保留 %d 条。\n",
			loss.live, loss.lost, loss.live-loss.lost)
	}
	printGate(out, outcome)
	fmt.Fprintln(out, "如问办服务正在运行，请重启服务以启用新知识库。")
	detail := fmt.Sprintf("新增 %d 条，更新 %d 条，删除 %d 条，发布为第 %d 版", res.Added, res.Updated, res.Removed, outcome.Version.Number)
	return recordCLIDetail(ctx, audit.New(db, audit.Options{}), audit.KBImported, "导入 "+filepath.Base(files[0]), detail)
}

// checkImport runs the checks the retrain gate leaves out: every
// 政策依据 must resolve, and with countLoss a replacement may delete or
// retire more than half of the live entries only with force. It returns
// the loss, for the warning after a forced replacement. countLoss is off
// for a knowledge base this command seeded, which has served no one, so
// replacing it loses nothing: that is how a new hub gets its own entries.
func checkImport(ctx context.Context, cfg config.Config, svc *learn.Service, db *store.DB, d kb.Draft, entries []kb.Entry, countLoss, force bool) (replaceLoss, error) {
	if err := checkCitations(ctx, cfg, db, entries); err != nil {
		return replaceLoss{}, err
	}
	if !countLoss {
		return replaceLoss{}, nil
	}

	loss, err := countReplaceLoss(ctx, svc, d, entries)
	if err != nil {
		return replaceLoss{}, err
	}
	if loss.excessive() && !force {
		return replaceLoss{}, fmt.Errorf("--replace 将使对外服务的 %d 条知识中 %d 条被删除或停用，只保留 %d 条，超过一半。"+
			"请核对是否选错了文件；只想新增或更新条目时去掉 --replace，确需整体替换时加 --force 重新运行",
			loss.live, loss.lost, loss.live-loss.lost)
	}
	return loss, nil
}

// checkCitations rejects entries whose 政策依据 the data folder's policy
// library cannot resolve, with kb.CheckCitations. A
// library that is still empty gets the starter library first, as the hub
// seeds it at its first start, so an import before that start is checked
// against the same documents.
func checkCitations(ctx context.Context, cfg config.Config, db *store.DB, entries []kb.Entry) error {
	staging := cfg.PolicyStagingDir()
	if err := os.MkdirAll(staging, 0o700); err != nil {
		return fmt.Errorf("creating policy staging folder %s: %w", staging, err)
	}
	lib, err := policy.Open(db, policy.Options{StagingDir: staging})
	if err != nil {
		return fmt.Errorf("opening policy library: %w", err)
	}
	defer lib.Close()
	if _, err := lib.Seed(ctx); err != nil {
		return err
	}
	return kb.CheckCitations(lib, entries)
}

// replaceLoss counts the live entries a --replace import deletes or
// retires. The retrain gate does not catch a large loss, because a
// candidate that keeps fewer than half of the live ids passes it as a
// wholesale replacement (learn.GateNone). Without this count a file with
// one row would take the knowledge base down to one entry.
type replaceLoss struct {
	live, lost int
}

// excessive reports whether more than half of the live entries would go.
func (l replaceLoss) excessive() bool { return 2*l.lost > l.live }

// countReplaceLoss returns what replacing the draft with entries costs
// the live knowledge base, which is empty before the first publish.
func countReplaceLoss(ctx context.Context, svc *learn.Service, d kb.Draft, entries []kb.Entry) (replaceLoss, error) {
	live, _, err := svc.Live(ctx)
	if errors.Is(err, kb.ErrEmpty) {
		return replaceLoss{}, nil
	}
	if err != nil {
		return replaceLoss{}, err
	}
	return replaceLoss{live: len(live), lost: kb.LostEntries(live, kb.PreviewImport(d, entries, true))}, nil
}

func decodeFile(path string) ([]kb.Entry, error) {
	format, err := kb.FormatFromPath(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	entries, err := kb.Decode(f, format)
	if err != nil {
		return nil, fmt.Errorf("文件 %s 未导入，知识库保持不变：\n%w", path, err)
	}
	return entries, nil
}
