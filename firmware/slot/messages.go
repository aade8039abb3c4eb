package slot

import "errors"

// userMessages gives the Simplified Chinese text shown to a technician
// for each error.
var userMessages = []struct {
	err     error
	message string
}{
	{ErrInvalidSlot, "槽位名称无效，只能是 A 或 B。"},
	{ErrInvalidState, "槽位状态文件已损坏或内容不一致，请联系技术支持。"},
	{ErrStateChanged, "槽位状态已被其他程序修改，请重新执行本操作。"},
	{ErrNotBlessed, "当前运行的系统尚未确认正常，暂不能安装新的更新包；请重启并等待系统确认后再试。"},
	{ErrWrongSlot, "目标分区不是允许写入的备用槽位，已拒绝写入。"},
	{ErrSlotTooSmall, "更新包中的系统镜像大于槽位分区容量，不能安装到本设备。"},
	{ErrSourceChanged, "写入过程中更新包内容发生变化，请勿在安装时移动或改写更新包，然后重试。"},
	{ErrReadBack, "写入后回读校验失败，存储设备可能存在故障；原系统未受影响，请重试或联系技术支持。"},
	{ErrNotBootable, "当前启动的槽位已被标记为不可用，无法确认，请联系技术支持。"},
}

// UserMessage returns the Simplified Chinese text for err to show a
// technician, or "" when err is not one of this package's errors. The
// English error, which names the slot and version, belongs in the log.
func UserMessage(err error) string {
	for _, m := range userMessages {
		if errors.Is(err, m.err) {
			return m.message
		}
	}
	return ""
}
