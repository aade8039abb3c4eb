package policy

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"syscall"
)

// transferHint returns what an administrator should check after a failed
// download or read, in Chinese for the update report, or "" when the
// error is of no known kind. The error itself follows the hint in the
// report as technical detail.
func transferHint(err error) string {
	var netErr net.Error
	switch {
	case errors.Is(err, ErrTooLarge):
		return "超过大小上限"
	case errors.Is(err, context.Canceled):
		return "更新被中止（服务正在停止）"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return "超时，更新源服务器响应过慢或网络不通，请检查更新源服务器和网络后重试"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "无法连接更新源服务器，请确认服务器地址和端口正确、服务已启动"
	case errors.Is(err, fs.ErrNotExist):
		return "文件不存在，请核对清单中的路径"
	case errors.Is(err, fs.ErrPermission):
		return "没有读取权限，请检查文件权限"
	}
	var se *statusError
	if errors.As(err, &se) {
		return "更新源服务器返回错误 " + se.status + "，请检查服务器上的文件"
	}
	return ""
}

// statusError is a response other than 200 OK.
type statusError struct {
	url, status string
}

func (e *statusError) Error() string {
	return "downloading " + e.url + ": server returned " + e.status
}
