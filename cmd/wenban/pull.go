package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"wenban/appliance/provision"
	"wenban/firmware/update"
	"wenban/kiosk/hubtls"
)

func runUpdatePull(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban update pull", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	term := addTerminalFlags(fs)
	dir := fs.String("dir", defaultProvisionDir, "provisioning folder with the hub address and hub.pem")
	hub := fs.String("hub", "", "hub base URL; default the provisioned one")
	certPath := fs.String("hub-cert", "", "PEM certificate to trust for the hub; default the provisioned hub.pem")
	download := fs.String("download-dir", "/var/lib/wenban-data", "folder for the downloaded bundle, on the data partition")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(errOut, "usage: wenban update pull [--hub URL] [--hub-cert FILE]")
		return errUsage
	}

	hubURL, cert, err := pullSettings(*dir, *hub, *certPath)
	if err != nil {
		return err
	}
	client, err := hubClient(cert)
	if err != nil {
		return err
	}

	log := toolLogger(errOut)
	path, err := update.Pull(ctx, term.terminal(), client, hubURL, *download, log)
	if errors.Is(err, update.ErrNoUpdate) {
		fmt.Fprintln(out, "服务中心没有更新的版本，本机已是最新。")
		return nil
	}
	if err != nil {
		return fmt.Errorf("从服务中心下载更新包失败，请检查网络和服务中心地址。\n详细信息：%w", err)
	}
	defer os.Remove(path)

	applied, err := update.Apply(ctx, term.terminal(), path, update.Options{}, log)
	if err != nil {
		return withUserMessage(err)
	}
	fmt.Fprintf(out, "已下载并将版本 %s 写入槽位 %s。重启后启动新版本。\n", applied.Version, applied.Slot)
	return nil
}

// pullSettings fills the hub address and certificate from provisioning.
func pullSettings(dir, hub, certPath string) (string, []byte, error) {
	if hub == "" {
		s, err := provision.Read(dir)
		if err != nil {
			return "", nil, fmt.Errorf("本机尚未初始化服务中心地址，请先执行 wenban provision 或用 --hub 指定。\n详细信息：%w", err)
		}
		hub = s.HubURL
	}
	if certPath == "" {
		certPath = filepath.Join(dir, "hub.pem")
	}
	cert, err := os.ReadFile(certPath)
	if errors.Is(err, os.ErrNotExist) {
		return hub, nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("reading hub certificate: %w", err)
	}
	return hub, cert, nil
}

// hubClient trusts only the enrolled hub certificate for HTTPS, or the
// system roots when none was enrolled (plain-HTTP hubs).
func hubClient(cert []byte) (*http.Client, error) {
	if cert == nil {
		return hubtls.Client(nil, pullTimeout), nil
	}
	cfg, err := hubtls.Config(cert)
	if err != nil {
		return nil, fmt.Errorf("hub certificate: %w", err)
	}
	return hubtls.Client(cfg, pullTimeout), nil
}

// pullTimeout bounds one update download, which is a whole root image.
const pullTimeout = 30 * time.Minute
