package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"wenban/appliance/config"
	"wenban/appliance/server"
)

func runServe(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban serve", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	config.AddFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(fs)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, errOut)

	// Binding first means a taken port fails before the first start
	// creates the administrator, whose password is shown only once.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("无法监听地址 %s（端口可能已被占用），服务未启动，数据目录未改动；请释放该端口或用 --listen 指定其他地址: %w", cfg.Listen, err)
	}
	defer ln.Close()

	hub, admin, err := server.Open(ctx, cfg, log)
	if err != nil {
		printLostAdmin(out, cfg, admin, underSystemd())
		return err
	}
	defer hub.Close()

	if err := printWelcome(out, cfg, admin, underSystemd()); err != nil {
		return err
	}
	return hub.Serve(ctx, ln)
}

// printLostAdmin shows the first administrator's password when the hub
// created the account but failed to start afterwards, because the next
// start finds the account and never shows the password again.
func printLostAdmin(w io.Writer, cfg config.Config, admin server.Admin, journal bool) {
	if !admin.Created {
		return
	}
	fmt.Fprintln(w, "问办服务启动失败，但首次启动已创建管理员账号，密码只显示这一次：")
	if err := printAdminPassword(w, cfg, admin, journal); err != nil {
		fmt.Fprintf(w, "  %v\n", err)
	}
}

// underSystemd reports whether systemd started the process, in which case
// standard output goes to the journal.
func underSystemd() bool { return os.Getenv("INVOCATION_ID") != "" }

// initialPasswordFile receives the first-run password when standard output
// is the journal, where a password must not be kept.
const initialPasswordFile = "initial-admin-password"

// printWelcome prints the page addresses for the person who started the
// hub. The first-run password goes to standard output, never to the log.
// Under systemd, whose journal keeps standard output, it goes to a file
// readable by the service user only.
func printWelcome(w io.Writer, cfg config.Config, admin server.Admin, journal bool) error {
	base := strings.TrimRight(cfg.BaseURL(), "/")
	fmt.Fprintln(w, "问办服务已启动")
	fmt.Fprintf(w, "  群众页面：%s/\n", base)
	fmt.Fprintf(w, "  坐席页面：%s/seat\n", base)
	if admin.Created {
		return printAdminPassword(w, cfg, admin, journal)
	}
	fmt.Fprintln(w, "  管理员账号 admin 的密码已在首次启动时显示；如已遗忘，请停止服务后运行：")
	fmt.Fprintf(w, "  wenban staff reset-password --data %s --login admin\n", cfg.Data)
	return nil
}

// printAdminPassword shows the new administrator's password on standard
// output, or under systemd writes it to a file only the service user reads.
func printAdminPassword(w io.Writer, cfg config.Config, admin server.Admin, journal bool) error {
	if journal {
		path := filepath.Join(cfg.Data, initialPasswordFile)
		if err := os.WriteFile(path, []byte(admin.Password+"\n"), 0o600); err != nil {
			return fmt.Errorf("writing the first-run password to %s: %w", path, err)
		}
		fmt.Fprintf(w, "  首次启动已创建管理员账号：%s，初始密码已写入 %s（仅服务账号可读），登录修改密码后请删除该文件\n", admin.Login, path)
		return nil
	}
	fmt.Fprintf(w, "  首次启动已创建管理员账号：%s  初始密码：%s\n", admin.Login, admin.Password)
	fmt.Fprintln(w, "  （密码只显示这一次，请登录后立即修改）")
	return nil
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
