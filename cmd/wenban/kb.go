package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"wenban/appliance/bot"
	"wenban/appliance/config"
	"wenban/appliance/kb"
	"wenban/appliance/learn"
	"wenban/appliance/store"
)

func runKB(ctx context.Context, args []string, out, errOut io.Writer) error {
	sub := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"import": runKBImport,
		"export": runKBExport,
		"train":  runKBTrain,
		"eval":   runKBEval,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		printUnknownSubcommand(errOut, "kb", args)
		fmt.Fprintln(errOut, "usage: wenban kb import|export|train|eval --data DIR [flags] [FILE]")
		fmt.Fprintln(errOut, "  import [--replace] [--force] FILE  按编号新增或更新条目（--replace 以文件内容整体替换知识库，删除或停用超过一半条目时须加 --force），连同草稿中未发布的修改经评测校验后发布为新版本")
		fmt.Fprintln(errOut, "  export FILE                        按扩展名（.csv、.xlsx、.jsonl）导出对外服务版本")
		fmt.Fprintln(errOut, "  train [--force]                    用草稿训练智能客服并评测校验；草稿有未发布的修改且校验通过时发布为新版本，否则不修改数据")
		fmt.Fprintln(errOut, "  eval FILE.jsonl                    评测：每行 {\"q\": \"问题\", \"expect\": \"编号\" 或 \"none\"}，不修改数据")
		fmt.Fprintln(errOut, "评测校验：新模型在标注问题集上答对的句数少于现行模型时不发布，知识库保持不变；--force 仍然发布，并在标准错误输出中记录警告。")
		return errUsage
	}
	return sub[args[0]](ctx, args[1:], out, errOut)
}

// kbFlags parses the shared flags of the kb tools and returns the
// positional arguments.
func kbFlags(name string, args []string, errOut io.Writer, extra func(*pflag.FlagSet)) (config.Config, []string, error) {
	fs := pflag.NewFlagSet("wenban "+name, pflag.ContinueOnError)
	fs.SetOutput(errOut)
	config.AddFlags(fs)
	hideServerFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return config.Config{}, nil, err
	}
	cfg, err := config.Load(fs)
	if err != nil {
		return config.Config{}, nil, err
	}
	return cfg, fs.Args(), nil
}

// storedOrShipped returns the stored knowledge base, or the shipped one
// for a data folder that has none yet.
func storedOrShipped(db *store.DB) ([]kb.Entry, error) {
	entries, _, err := kb.Load(db)
	if errors.Is(err, kb.ErrEmpty) {
		return kb.Shipped()
	}
	return entries, err
}

// readEntries returns the data folder's knowledge base, or the shipped one
// when it has none, and closes the database again at once.
func readEntries(cfg config.Config) ([]kb.Entry, error) {
	db, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return storedOrShipped(db)
}

func train(cfg config.Config, entries []kb.Entry) (*bot.Engine, time.Duration, error) {
	start := time.Now()
	engine, err := bot.New(entries, bot.Options{Threshold: cfg.Bot.Threshold, LexiconDir: cfg.Bot.LexiconDir})
	if err != nil {
		return nil, 0, fmt.Errorf("training bot: %w", err)
	}
	return engine, time.Since(start), nil
}

// cliStaff names the command line in the change history.
var cliStaff = kb.Staff{ID: "cli", Name: "命令行"}

// openLearn opens the data folder's store, seeds the shipped knowledge
// base into a new one and returns the publisher over it. seeded reports
// that the folder had no knowledge base before. With create, a folder
// without a database gets a new one, so a knowledge base can be imported
// before the hub's first start. The caller closes the store.
func openLearn(cfg config.Config, create bool) (svc *learn.Service, db *store.DB, seeded bool, err error) {
	open := openStore
	if create {
		open = createStore
	}
	if db, err = open(cfg); err != nil {
		return nil, nil, false, err
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()

	_, _, err = kb.Load(db)
	seeded = errors.Is(err, kb.ErrEmpty)
	if err != nil && !seeded {
		return nil, nil, false, err
	}
	if _, _, err := kb.Seed(db, time.Now()); err != nil {
		return nil, nil, false, err
	}
	svc, err = learn.New(learn.Options{
		DB:     db,
		Bot:    bot.Options{Threshold: cfg.Bot.Threshold, LexiconDir: cfg.Bot.LexiconDir},
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return nil, nil, false, err
	}
	return svc, db, seeded, nil
}

// printGate prints the retrain gate's figures and whether a drop was
// overridden.
func printGate(out io.Writer, o learn.Outcome) {
	fmt.Fprintln(out, "评测校验："+o.Gate.Summary())
	if o.Forced {
		fmt.Fprintln(out, "警告：新模型答对的评测问句少于现行模型，已按 --force 强制发布，此操作已记入日志。")
	}
}

func runKBExport(_ context.Context, args []string, out, errOut io.Writer) error {
	cfg, files, err := kbFlags("kb export", args, errOut, nil)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fmt.Fprintln(errOut, "usage: wenban kb export --data DIR FILE")
		return errUsage
	}
	format, err := kb.FormatFromPath(files[0])
	if err != nil {
		return err
	}

	entries, err := readEntries(cfg)
	if err != nil {
		return err
	}

	// Write beside the target and rename, so a failed export never leaves
	// half a file under the requested name.
	tmp, err := os.CreateTemp(filepath.Dir(files[0]), ".wenban-export-*")
	if err != nil {
		return fmt.Errorf("creating export file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := kb.Encode(tmp, format, entries); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", files[0], err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", files[0], err)
	}
	if err := os.Rename(tmp.Name(), files[0]); err != nil {
		return fmt.Errorf("saving %s: %w", files[0], err)
	}
	fmt.Fprintf(out, "已导出 %d 条知识到 %s\n", len(entries), files[0])
	return nil
}

// runKBTrain trains the engine on the draft and runs the retrain gate.
// A draft with unpublished changes is published when it passes the gate,
// or with --force when it does not.
func runKBTrain(ctx context.Context, args []string, out, errOut io.Writer) error {
	var force bool
	cfg, _, err := kbFlags("kb train", args, errOut, func(fs *pflag.FlagSet) {
		fs.BoolVar(&force, "force", false, "publish even when the retrain gate reports a drop in top-1 accuracy (a warning is logged)")
	})
	if err != nil {
		return err
	}
	svc, db, _, err := openLearn(cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := svc.Draft(ctx)
	if err != nil {
		return err
	}

	if d.State.Pending == 0 {
		o, err := svc.Train(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "训练完成：%d 条知识，用时 %v；草稿与对外服务版本一致，无需发布\n",
			len(kb.Active(d.Items)), o.Took.Round(time.Millisecond))
		printGate(out, o)
		return nil
	}

	o, err := svc.PublishDraft(ctx, cliStaff, "命令行训练发布", force)
	var ge *learn.GateError
	if errors.As(err, &ge) {
		fmt.Fprintln(out, "评测校验："+ge.Gate.Summary()+ge.Gate.Advice())
		return errors.New("新模型答对的评测问句减少，草稿未发布；请按上面列出的问句修改草稿，确认接受下降时可加 --force 强制发布")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "训练完成：%d 条知识，用时 %v；已发布为知识库第 %d 版\n",
		len(kb.Active(o.Version.Items)), o.Took.Round(time.Millisecond), o.Version.Number)
	printGate(out, o)
	return nil
}

func runKBEval(_ context.Context, args []string, out, errOut io.Writer) error {
	cfg, files, err := kbFlags("kb eval", args, errOut, nil)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fmt.Fprintln(errOut, "usage: wenban kb eval --data DIR FILE.jsonl")
		return errUsage
	}

	f, err := os.Open(files[0])
	if err != nil {
		return fmt.Errorf("无法打开评测集 %s：%w", files[0], err)
	}
	defer f.Close()
	cases, err := bot.ReadCases(f)
	if err != nil {
		return fmt.Errorf("评测集 %s 格式有误，每行应为 {\"q\": \"问题\", \"expect\": \"编号\" 或 \"none\"}：%w", files[0], err)
	}

	entries, err := readEntries(cfg)
	if err != nil {
		return err
	}
	engine, _, err := train(cfg, entries)
	if err != nil {
		return err
	}
	defer engine.Close()
	for i, c := range cases {
		if c.Expect == bot.ExpectNone {
			continue
		}
		if _, ok := engine.Entry(c.Expect); !ok {
			return fmt.Errorf("评测集 %s 第 %d 句「%s」：期望的编号 %s 不在知识库中，请核对编号", files[0], i+1, c.Q, c.Expect)
		}
	}
	return writeEvalReport(out, bot.Evaluate(engine, cases))
}
