package update

import (
	"errors"

	"wenban/firmware/bundle"
	"wenban/firmware/slot"
)

var userMessages = []struct {
	err     error
	message string
}{
	{ErrInvalidLayout, "本机启动分区或设备信息不完整，无法安装更新，请联系技术支持。"},
	{ErrNotBlessed, "当前运行的系统尚未确认正常，暂不能安装新的更新包；请等待系统启动完成并确认后再试。"},
	{ErrMissingPart, "更新包缺少内核或初始内存盘文件，不能用于本设备，请重新获取官方更新包。"},
	{ErrReadBack, "写入启动分区后回读校验失败，原系统未受影响，请重试或联系技术支持。"},
}

// UserMessage returns the Simplified Chinese text for err to show a
// technician: this package's own text, else that of firmware/bundle or
// firmware/slot, else "". The English error belongs in the log.
func UserMessage(err error) string {
	for _, m := range userMessages {
		if errors.Is(err, m.err) {
			return m.message
		}
	}
	if msg := bundle.UserMessage(err); msg != "" {
		return msg
	}
	return slot.UserMessage(err)
}
