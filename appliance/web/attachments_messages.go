package web

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"wenban/appliance/attach"
	"wenban/appliance/conversation"
)

// Chinese messages of the attachment routes that name no limit.
const (
	msgBadUploadKind    = "上传参数有误，请刷新页面后重试。"
	msgConvClosed       = "本次服务已结束，无法发送文件。如需继续咨询，请重新发起咨询。"
	msgNotServing       = "您当前未接待该会话，无法发送文件。"
	msgNoAttachments    = "文件功能暂未开放。"
	msgUploadQueued     = "工作人员接入后即可发送图片、文件和语音，请您稍候。"
	msgCitizenQuota     = "本次服务发送的文件已达 200 MB 上限，请向工作人员说明，或通过其他方式提交材料。"
	msgNoAttachment     = "文件不存在或已被撤回。"
	msgDiskFull         = "系统存储空间不足，暂时无法接收文件，请稍后再试或联系工作人员。"
	msgUploadTimeout    = "上传超时，文件未发送。请在网络较好时重试，或压缩文件后再发送。"
	msgUploadBroken     = "上传中断，文件未发送，请检查网络后重试。"
	msgImageTypeOnly    = "仅支持发送 PNG、JPEG、GIF 或 WebP 格式的图片，请转换格式后再发送。"
	msgVoiceTypeOnly    = "录音格式不受支持，请使用最新版浏览器重新录制。"
	msgImageInvalid     = "图片已损坏或格式不正确，请重新选择。"
	msgVoiceInvalid     = "录音已损坏或格式不正确，请重新录制。"
	msgFileInvalid      = "文件已损坏或格式不正确，请重新选择。"
	msgImageTooManyPels = "图片尺寸过大（最多 4000 万像素），请缩小后再发送。"
)

// kindNoun returns the word messages use for an upload of kind: 图片,
// 语音 or 文件.
func kindNoun(kind attach.Kind) string {
	switch kind {
	case attach.KindImage:
		return "图片"
	case attach.KindVoice:
		return "语音"
	}
	return "文件"
}

// formatMiB writes a byte limit in whole or decimal MB, as the settings
// give it in MiB.
func formatMiB(n int64) string {
	mib := float64(n) / (1 << 20)
	if mib == float64(int64(mib)) {
		return fmt.Sprintf("%d MB", int64(mib))
	}
	return fmt.Sprintf("%.1f MB", mib)
}

// tooLargeMessage names the kind's size limit.
func tooLargeMessage(put attach.PutRequest) string {
	if put.Kind == attach.KindVoice {
		return fmt.Sprintf("语音超过 %s 的大小上限，请缩短录音后再发送。", formatMiB(put.MaxBytes))
	}
	return fmt.Sprintf("%s超过 %s 的大小上限，请压缩后再发送。", kindNoun(put.Kind), formatMiB(put.MaxBytes))
}

// typeRejectedMessage names what the kind accepts.
func typeRejectedMessage(put attach.PutRequest) string {
	switch put.Kind {
	case attach.KindImage:
		return msgImageTypeOnly
	case attach.KindVoice:
		return msgVoiceTypeOnly
	}
	labels := fileTypeLabels(put.Allowed)
	if len(labels) == 0 {
		return "暂不支持发送文件。"
	}
	return "暂不支持发送该类型的文件。可发送的类型：" + strings.Join(labels, "、") + "。"
}

// fileTypeLabels returns the names citizens know the allowed media
// types by, each once and in the order given.
func fileTypeLabels(types []string) []string {
	names := map[string]string{
		attach.TypePDF:   "PDF",
		attach.TypeText:  "文本文件",
		attach.TypeOLE:   "旧版 Office 和 WPS 文档（doc、xls、ppt、wps）",
		attach.TypeOOXML: "Office 文档（docx、xlsx、pptx）",
		attach.TypeOFD:   "OFD 版式文件",
		attach.TypeZIP:   "ZIP 压缩包",
		attach.TypePNG:   "图片",
		attach.TypeJPEG:  "图片",
		attach.TypeGIF:   "图片",
		attach.TypeWebP:  "图片",
	}
	var out []string
	for _, t := range types {
		label, ok := names[t]
		if !ok {
			continue
		}
		if !slices.Contains(out, label) {
			out = append(out, label)
		}
	}
	return out
}

// invalidMessage returns the message for content of kind that could not
// be read.
func invalidMessage(kind attach.Kind) string {
	switch kind {
	case attach.KindImage:
		return msgImageInvalid
	case attach.KindVoice:
		return msgVoiceInvalid
	}
	return msgFileInvalid
}

// tooLongMessage names the voice duration limit in seconds.
func tooLongMessage(limit time.Duration) string {
	return fmt.Sprintf("语音超过 %d 秒，请分段录制后再发送。", int64(limit/time.Second))
}

// uploadRejected maps a failed Put of put to a status and a message
// that names what was wrong and what to do.
func uploadRejected(put attach.PutRequest, err error) error {
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, attach.ErrTooLarge), errors.As(err, &tooBig):
		return &appError{Status: http.StatusRequestEntityTooLarge, Message: tooLargeMessage(put), Cause: err}
	case errors.Is(err, attach.ErrTypeNotAllowed):
		return &appError{Status: http.StatusUnsupportedMediaType, Message: typeRejectedMessage(put), Cause: err}
	case errors.Is(err, attach.ErrEmpty):
		return badRequest(kindNoun(put.Kind)+"内容为空，请重新选择或录制。", err)
	case errors.Is(err, attach.ErrImageTooLarge):
		return &appError{Status: http.StatusUnprocessableEntity, Message: msgImageTooManyPels, Cause: err}
	case errors.Is(err, attach.ErrTooLong):
		return &appError{Status: http.StatusUnprocessableEntity, Message: tooLongMessage(put.MaxDuration), Cause: err}
	case errors.Is(err, attach.ErrInvalidMedia):
		return &appError{Status: http.StatusUnprocessableEntity, Message: invalidMessage(put.Kind), Cause: err}
	case errors.Is(err, attach.ErrDiskFull):
		return &appError{Status: http.StatusInsufficientStorage, Message: msgDiskFull, Cause: err}
	case errors.Is(err, attach.ErrUploadInterrupted) && errors.Is(err, os.ErrDeadlineExceeded):
		return &appError{Status: http.StatusRequestTimeout, Message: msgUploadTimeout, Cause: err}
	case errors.Is(err, attach.ErrUploadInterrupted):
		return badRequest(msgUploadBroken, err)
	}
	return err
}

func sendRejected(err error) error {
	switch {
	case errors.Is(err, conversation.ErrClosed):
		return &appError{Status: http.StatusConflict, Message: msgConvClosed, Cause: err}
	case errors.Is(err, conversation.ErrNotOwner):
		return &appError{Status: http.StatusForbidden, Message: msgNotServing, Cause: err}
	}
	return err
}
