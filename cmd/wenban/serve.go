package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"wenban/appliance/config"
	"wenban/appliance/server"
)

func runServe(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	config.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	cfg, err := config.Load(fs)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, errOut)

	hub, admin, err := server.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer hub.Close()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	printWelcome(out, cfg, admin)
	return hub.Serve(ctx, ln)
}

// printWelcome prints the page addresses for the person who started the hub. The first-run
// password goes to standard output only, never to the log.
func printWelcome(w io.Writer, cfg config.Config, admin server.Admin) {
	base := strings.TrimRight(cfg.BaseURL(), "/")
	fmt.Fprintln(w, "问办服务已启动")
	fmt.Fprintf(w, "  群众页面：%s/\n", base)
	fmt.Fprintf(w, "  坐席页面：%s/seat\n", base)
	if admin.Created {
		fmt.Fprintf(w, "  首次启动已创建管理员账号：%s  初始密码：%s\n", admin.Login, admin.Password)
		fmt.Fprintln(w, "  （密码只显示这一次，请登录后立即修改）")
	} else {
		fmt.Fprintln(w, "  管理员账号 admin 的密码已在首次启动时显示；如已遗忘，请停止服务后运行：")
		fmt.Fprintf(w, "  wenban staff reset-password --data %s --login admin\n", cfg.Data)
	}
}

func newLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if w == nil {
		w = os.Stderr
	}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
