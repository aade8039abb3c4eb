package bundle

import "errors"

// userMessages gives the Simplified Chinese text shown to a technician for
// each error. Order matters where one error could wrap another: the first
// match wins.
var userMessages = []struct {
	err     error
	message string
}{
	{ErrManifestTooLarge, "更新包清单文件超过 64 KiB，更新包无效，请重新获取官方更新包。"},
	{ErrInvalidManifest, "更新包清单格式不正确，更新包无效，请重新获取官方更新包。"},
	{ErrUnsupportedFormat, "更新包格式版本不受本设备支持，请先升级到支持该格式的版本或联系技术支持。"},
	{ErrWrongProduct, "该更新包不属于问办系统，请确认更新包来源。"},
	{ErrInvalidSignatureFile, "更新包签名文件格式不正确，更新包无效，请重新获取官方更新包。"},
	{ErrLayout, "更新包结构不正确（清单与签名须位于开头），请重新获取官方更新包。"},
	{ErrUnsafePath, "更新包中含有不安全的文件路径，已拒绝安装，请确认更新包来源。"},
	{ErrNotRegularFile, "更新包中含有链接、设备等非普通文件，已拒绝安装，请确认更新包来源。"},
	{ErrDuplicateEntry, "更新包中含有重复文件，已拒绝安装，请重新获取官方更新包。"},
	{ErrUnlistedEntry, "更新包中含有清单未列出的文件，已拒绝安装，请确认更新包来源。"},
	{ErrPartSize, "更新包内文件大小与清单不符，更新包可能已损坏，请重新拷贝或下载。"},
	{ErrPartDigest, "更新包内文件校验值与清单不符，更新包可能已损坏或被篡改，请重新拷贝或下载。"},
	{ErrMissingPart, "更新包缺少清单列出的文件，请重新拷贝或下载。"},
	{ErrTruncated, "更新包不完整（文件被截断），请重新拷贝或下载。"},
	{ErrMalformed, "更新包文件已损坏，无法读取，请重新拷贝或下载。"},
	{ErrTrailingData, "更新包末尾含有多余数据，已拒绝安装，请重新获取官方更新包。"},
	{ErrChanged, "读取过程中更新包文件发生变化，请勿在安装时移动或改写更新包，然后重试。"},
	{ErrNoTrustedKeys, "设备未配置可信签名公钥，无法校验更新包，请联系技术支持。"},
	{ErrUnknownKey, "更新包由未知密钥签名，已拒绝安装，请确认更新包来源。"},
	{ErrBadSignature, "更新包签名校验失败，更新包可能被篡改，已拒绝安装。"},
	{ErrInvalidPolicy, "设备的更新策略配置不完整，请联系技术支持。"},
	{ErrWrongHardware, "该更新包适用于其他型号的终端，不能安装到本设备。"},
	{ErrBelowFloor, "该更新包版本低于本设备允许的最低版本，已拒绝安装。"},
	{ErrNotNewer, "该更新包版本不高于当前版本，已拒绝安装；如需重装，请使用重装选项。"},
	{ErrUpgradePath, "当前版本过旧，不能直接升级到该版本，请先安装中间版本。"},
	{ErrNotVerified, "更新包尚未通过校验，不能读取其内容。"},
	{ErrUnknownPart, "更新包清单中没有所需的组成部分。"},
	{ErrInvalidKey, "密钥文件格式不正确，请检查密钥文件。"},
	{ErrKeyPermissions, "私钥文件权限过宽，请执行 chmod 600 后重试。"},
}

// UserMessage returns the Simplified Chinese text for err to show a
// technician, or "" when err is not one of this package's errors. The
// English error, which names the value, belongs in the log.
func UserMessage(err error) string {
	for _, m := range userMessages {
		if errors.Is(err, m.err) {
			return m.message
		}
	}
	return ""
}
