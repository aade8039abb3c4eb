package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"wenban/kiosk/hubtls"
)

// hubCertPath returns the certificate file `wenban kiosk` trusts for its
// hub: the --hub-cert flag, or else hub.pem beside the --config file when
// it exists. Provisioning writes both files into one folder, so a kiosk
// installed without the image needs no extra flag in its unit either.
func hubCertPath(flag string, fs *pflag.FlagSet) string {
	if flag != "" {
		return flag
	}
	configPath, _ := fs.GetString("config")
	if configPath == "" {
		return ""
	}
	beside := filepath.Join(filepath.Dir(configPath), "hub.pem")
	if _, err := os.Stat(beside); err != nil {
		return ""
	}
	return beside
}

// kioskHubTLS loads the certificate that `wenban kiosk --hub-cert` names.
// It returns nil for a plain-HTTP hub, which has no certificate to check,
// and for an empty path, which leaves the system roots in charge.
func kioskHubTLS(hub, certPath string) (*tls.Config, error) {
	u, err := url.Parse(hub)
	if err != nil {
		return nil, fmt.Errorf("parsing kiosk.hub %q: %w", hub, err)
	}
	if u.Scheme != "https" || certPath == "" {
		return nil, nil
	}

	cfg, err := hubtls.LoadConfig(certPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("服务中心地址为 https，但找不到证书文件 %s。请在服务中心执行 wenban tls ca 取得证书，再用 wenban provision --hub-cert 导入。\n详细信息：%w", certPath, err)
	}
	if err != nil {
		return nil, fmt.Errorf("服务中心证书文件 %s 无效，请用 wenban tls ca 输出的证书重新执行 wenban provision --hub-cert。\n详细信息：%w", certPath, err)
	}
	return cfg, nil
}
