package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"wenban/appliance/provision"
	"wenban/firmware/update"
)

const (
	defaultProvisionDir = "/var/lib/wenban-data/provision"
	// recoveryKeyPath is where wenban-data.service leaves the data
	// partition's recovery key, in memory only, until provisioning shows it.
	recoveryKeyPath = "/run/wenban/recovery-key"
)

func runProvision(_ context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban provision", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	var s provision.Settings
	role := fs.String("role", "", "terminal role: hub, seat or kiosk")
	fs.StringVar(&s.HubURL, "hub", "", "hub base URL, such as https://10.12.0.5:8443 (seat and kiosk)")
	fs.StringVar(&s.WindowID, "window", "", "service window id (kiosk, optional on a seat)")
	fs.StringVar(&s.Listen, "listen", "", "hub listen address (hub); default 127.0.0.1:8080")
	fs.StringVar(&s.Network.Interface, "interface", "en*", "network interface name pattern")
	fs.StringVar(&s.Network.Address, "address", "", "static address with prefix, such as 10.12.0.20/24; empty for DHCP")
	fs.StringVar(&s.Network.Gateway, "gateway", "", "default gateway (static address only)")
	fs.StringSliceVar(&s.Network.DNS, "dns", nil, "DNS server addresses, comma-separated")
	fs.StringVar(&s.NTPServer, "ntp", "", "intranet time server host name or address")
	certPath := fs.String("hub-cert", "", "PEM file with the hub's certificate or issuing CA (seat and kiosk)")
	dir := fs.String("dir", defaultProvisionDir, "provisioning folder on the data partition")
	keyPath := fs.String("recovery-key-file", recoveryKeyPath, "recovery key left by the first boot; shown once, then deleted")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 || *role == "" {
		fmt.Fprintln(errOut, "usage: wenban provision --role hub|seat|kiosk --ntp SERVER [--hub URL --hub-cert FILE] [--window ID] [--address A/P --gateway G --dns D]")
		return errUsage
	}

	s.Role = provision.Role(*role)
	if *certPath != "" {
		pem, err := os.ReadFile(*certPath)
		if err != nil {
			return fmt.Errorf("reading hub certificate: %w", err)
		}
		s.HubCertificate = string(pem)
	}
	result, err := provision.Write(*dir, s)
	if err != nil {
		if errors.Is(err, provision.ErrInvalid) {
			return fmt.Errorf("初始化设置有误，请检查后重试。\n详细信息：%w", err)
		}
		return err
	}
	fmt.Fprintf(out, "已保存初始化设置：角色 %s，时间服务器 %s。重启终端后按新设置运行。\n", s.Role, s.NTPServer)
	if len(result.Kept) > 0 {
		fmt.Fprintf(out, "已保留配置文件 wenban.yaml 中原有的设置：%s。\n", strings.Join(result.Kept, "、"))
	}
	if s.HubCertificate != "" && s.Role != provision.RoleHub {
		fmt.Fprintln(out, "已导入服务中心证书，本机浏览器和终端程序据此验证服务中心。")
	}
	return showRecoveryKey(*keyPath, out)
}

// showRecoveryKey prints the data partition's recovery key once and
// deletes the only copy, which lives in memory.
func showRecoveryKey(path string, out io.Writer) error {
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintln(out, "数据分区恢复密钥已在此前显示过，不再显示。")
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading recovery key: %w", err)
	}

	fmt.Fprintln(out, "数据分区恢复密钥（只显示这一次，请抄写后交由专人保管，不要拍照或存入本机）：")
	fmt.Fprintln(out, "  "+strings.TrimSpace(string(key)))
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("deleting recovery key %s after showing it: %w", path, err)
	}
	return nil
}

func runHealthGate(ctx context.Context, args []string, _, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban health-gate", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	term := addTerminalFlags(fs)
	dir := fs.String("dir", defaultProvisionDir, "provisioning folder on the data partition")
	timeout := fs.Duration("timeout", 2*time.Minute, "how long the role's service may take to become healthy, such as 90s or 5m")
	strict := fs.Bool("strict", false, "fail on a blessed boot too (for checks by hand)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(errOut, "usage: wenban health-gate [--dir DIR] [--timeout DURATION]")
		return errUsage
	}

	log := toolLogger(errOut)
	gate := provision.Gate{Dir: *dir, Timeout: *timeout, Log: log}
	err := gate.Check(ctx)
	if err == nil {
		return nil
	}

	// A boot whose entry is already blessed has no try left to spend, so a
	// reboot would only loop; the services' own restarts handle it.
	if !*strict && blessedBoot(term.terminal()) {
		log.Error("health gate failed on a blessed boot; not rebooting", "error", err)
		return nil
	}
	return fmt.Errorf("本次启动未通过健康检查，系统将重启；连续 3 次未通过时自动回退到上一版本。\n详细信息：%w", err)
}

// blessedBoot reports whether the running slot's boot entry has no try
// counter. It returns false when the entries cannot be read, so the gate
// then fails closed.
func blessedBoot(t update.Terminal) bool {
	r, err := update.Status(t)
	if err != nil {
		return false
	}
	for _, s := range r.Slots {
		if s.Slot == r.Running {
			return s.Entry == update.EntryGood
		}
	}
	return false
}
