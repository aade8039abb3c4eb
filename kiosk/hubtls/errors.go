package hubtls

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// CertificateError is a TLS handshake with the hub that failed because the
// hub's certificate does not verify against the provisioned hub.pem. Its
// message is for the technician at the terminal, in Chinese.
type CertificateError struct {
	// Host is the hub's host and port as the request named them.
	Host string
	// Err is the verification error from crypto/tls.
	Err error
}

func (e *CertificateError) Error() string {
	var hostErr x509.HostnameError
	if errors.As(e.Err, &hostErr) {
		return fmt.Sprintf("服务中心 %s 的证书不包含本机使用的地址，无法建立安全连接。"+
			"请在服务中心配置的 tls.hosts 中加入该地址并重启服务中心，或按证书中的地址重新执行 wenban provision。详细信息：%v",
			e.Host, e.Err)
	}
	return fmt.Sprintf("服务中心 %s 的证书与本机初始化时导入的证书（hub.pem）不符，无法建立安全连接。"+
		"请在服务中心执行 wenban tls ca 取得证书，再用 wenban provision --hub-cert 重新导入。详细信息：%v",
		e.Host, e.Err)
}

func (e *CertificateError) Unwrap() error { return e.Err }

// describe wraps err in a CertificateError when the hub's certificate
// failed verification and returns other errors unchanged.
func describe(host string, err error) error {
	var verifyErr *tls.CertificateVerificationError
	if !errors.As(err, &verifyErr) {
		return err
	}
	return &CertificateError{Host: host, Err: err}
}
