package control

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"wenban/appliance/backup"
)

// BackupPath is the control route that streams an online backup.
const BackupPath = "/v1/backup"

// Trailers of a backup response. The status line is sent before the
// backup is written, so how it ended comes after the body.
const (
	trailerFiles = "Wenban-Backup-Files"
	trailerError = "Wenban-Backup-Error"
)

// maxBackupRequest bounds the request body, which holds only the key.
const maxBackupRequest = 4 << 10

type backupRequest struct {
	RecoveryKey string `json:"recovery_key"`
}

// BackupHandler serves BackupPath: it writes an encrypted backup of
// source() to the response while the hub keeps serving, one at a time,
// and calls written, when not nil, with the number of files of each
// backup it completes.
func BackupHandler(source func() backup.Source, log *slog.Logger, written func(files int)) http.Handler {
	var running sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			log.Warn("backup request rejected", slog.String("method", r.Method))
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "备份接口只接受 POST 请求", http.StatusMethodNotAllowed)
			return
		}
		var req backupRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, maxBackupRequest)).Decode(&req); err != nil || strings.TrimSpace(req.RecoveryKey) == "" {
			log.Warn("backup request rejected: invalid body or missing recovery key", slog.Any("err", err))
			http.Error(w, "备份请求缺少恢复密钥", http.StatusBadRequest)
			return
		}
		if err := backup.CheckRecoveryKey(req.RecoveryKey); err != nil {
			log.Warn("backup request rejected: recovery key too short", slog.Any("err", err))
			http.Error(w, fmt.Sprintf("恢复密钥过短，至少需要 %d 个字符（不计短横线和空格）", backup.MinRecoveryKeyLen), http.StatusBadRequest)
			return
		}
		if !running.TryLock() {
			log.Warn("backup request rejected: another backup is running")
			http.Error(w, "另一份备份正在进行，请等它完成后再试", http.StatusConflict)
			return
		}
		defer running.Unlock()

		start := time.Now()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Trailer", trailerFiles+", "+trailerError)
		w.WriteHeader(http.StatusOK)

		bw := bufio.NewWriterSize(w, 1<<20)
		files, err := backup.Create(bw, source(), req.RecoveryKey, time.Now())
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			log.Error("online backup failed", slog.Any("err", err))
			w.Header().Set(trailerError, err.Error())
			return
		}
		w.Header().Set(trailerFiles, strconv.Itoa(len(files)))
		log.Info("online backup written", slog.Int("files", len(files)), slog.Duration("took", time.Since(start)))
		if written != nil {
			written(len(files))
		}
	})
}

// RequestBackup requests a backup readable with recoveryKey from the hub
// on the control socket at path and copies it to w. It returns the number of
// files in the backup. w holds a partial backup when it fails, which the
// caller must discard.
func RequestBackup(ctx context.Context, path, recoveryKey string, w io.Writer) (int, error) {
	body, err := json.Marshal(backupRequest{RecoveryKey: recoveryKey})
	if err != nil {
		return 0, fmt.Errorf("encoding backup request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, BaseURL+BackupPath, strings.NewReader(string(body)))
	if err != nil {
		return 0, fmt.Errorf("building backup request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")

	resp, err := Client(path).Do(req)
	if err != nil {
		return 0, fmt.Errorf("请求运行中的服务中心备份失败（控制接口 %s）：%w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return 0, fmt.Errorf("服务中心拒绝备份请求：%s", strings.TrimSpace(string(msg)))
	}

	if _, err := io.Copy(w, resp.Body); err != nil {
		return 0, fmt.Errorf("接收备份数据中断：%w", err)
	}
	if msg := resp.Trailer.Get(trailerError); msg != "" {
		return 0, fmt.Errorf("服务中心写备份时出错，请重试：%s", msg)
	}
	files, err := strconv.Atoi(resp.Trailer.Get(trailerFiles))
	if err != nil {
		return 0, fmt.Errorf("备份数据不完整（服务中心未报告结束），请重试")
	}
	return files, nil
}
