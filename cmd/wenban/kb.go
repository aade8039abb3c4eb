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

	"wenban/appliance/bot"
	"wenban/appliance/config"
	"wenban/appliance/kb"
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
		fmt.Fprintln(errOut, "usage: wenban kb import|export|train|eval --data DIR [flags] [FILE]")
		fmt.Fprintln(errOut, "  import [--replace] FILE   导入 CSV、XLSX 或 JSONL 文件（--replace 以文件内容整体替换知识库）")
		fmt.Fprintln(errOut, "  export FILE               按扩展名（.csv、.xlsx、.jsonl）导出知识库")
		fmt.Fprintln(errOut, "  train                     用当前知识库训练智能客服并报告用时")
		fmt.Fprintln(errOut, "  eval FILE.jsonl           评测：每行 {\"q\": \"问题\", \"expect\": \"编号\" 或 \"none\"}")
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
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return config.Config{}, nil, errUsage
	}
	cfg, err := config.Load(fs)
	if err != nil {
		return config.Config{}, nil, err
	}
	return cfg, fs.Args(), nil
}

// openStore opens the data folder's database for a tool. It fails fast
// when a running hub holds the database.
func openStore(cfg config.Config) (*store.DB, error) {
	master, err := cfg.OpenMasterKey()
	if err != nil {
		return nil, err
	}
	return store.Open(cfg.DatabasePath(), master)
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

func runKBImport(_ context.Context, args []string, out, errOut io.Writer) error {
	var replace bool
	cfg, files, err := kbFlags("kb import", args, errOut, func(fs *pflag.FlagSet) {
		fs.BoolVar(&replace, "replace", false, "replace the whole knowledge base with the file's entries")
	})
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fmt.Fprintln(errOut, "usage: wenban kb import --data DIR [--replace] FILE")
		return errUsage
	}

	entries, err := decodeFile(files[0])
	if err != nil {
		return err
	}
	db, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	// Train on the result before storing it, so a set the engine cannot
	// use leaves the stored knowledge base as it was.
	merged := entries
	if !replace {
		current, err := storedOrShipped(db)
		if err != nil {
			return err
		}
		merged = mergeEntries(current, entries)
	}
	engine, took, err := train(cfg, merged)
	if err != nil {
		return err
	}
	engine.Close()

	if !replace {
		if _, _, err := kb.Load(db); errors.Is(err, kb.ErrEmpty) {
			// A first import without --replace adds to the shipped entries.
			entries = merged
		}
	}
	res, err := kb.Save(db, entries, replace, filepath.Base(files[0]), time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "导入完成：新增 %d 条，更新 %d 条，删除 %d 条；知识库版本 %d，共 %d 条，训练用时 %v\n",
		res.Added, res.Updated, res.Removed, res.Meta.Version, engine.Size(), took.Round(time.Millisecond))
	fmt.Fprintln(out, "如问办服务正在运行，请重启服务以启用新知识库。")
	return nil
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

// mergeEntries overlays incoming entries on current ones by id.
func mergeEntries(current, incoming []kb.Entry) []kb.Entry {
	byID := map[string]int{}
	out := append([]kb.Entry(nil), current...)
	for i, e := range out {
		byID[e.ID] = i
	}
	for _, e := range incoming {
		if i, ok := byID[e.ID]; ok {
			out[i] = e
			continue
		}
		byID[e.ID] = len(out)
		out = append(out, e)
	}
	return out
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

func runKBTrain(_ context.Context, args []string, out, errOut io.Writer) error {
	cfg, _, err := kbFlags("kb train", args, errOut, nil)
	if err != nil {
		return err
	}
	entries, err := readEntries(cfg)
	if err != nil {
		return err
	}
	engine, took, err := train(cfg, entries)
	if err != nil {
		return err
	}
	defer engine.Close()
	fmt.Fprintf(out, "训练完成：%d 条知识，用时 %v\n", engine.Size(), took.Round(time.Millisecond))
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
		return fmt.Errorf("opening %s: %w", files[0], err)
	}
	defer f.Close()
	cases, err := bot.ReadCases(f)
	if err != nil {
		return fmt.Errorf("reading %s: %w", files[0], err)
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
			return fmt.Errorf("%s, case %d (%q): expect %q names no entry of the knowledge base", files[0], i+1, c.Q, c.Expect)
		}
	}
	return bot.Evaluate(engine, cases).WriteText(out)
}
