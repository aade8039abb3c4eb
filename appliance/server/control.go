package server

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"strings"

	"wenban/appliance/attach"
	"wenban/appliance/audit"
	"wenban/appliance/backup"
	"wenban/appliance/control"
)

// startControl opens the control socket in the data folder, over which
// `wenban backup` reaches the running hub. It returns a function that
// closes it.
func (s *Server) startControl() (func(), error) {
	mux := http.NewServeMux()
	mux.Handle(control.BackupPath, control.BackupHandler(s.backupSource, s.log.With("component", "backup"), s.recordBackup))

	srv, err := control.Listen(control.SocketPath(s.cfg.Data), mux, s.log.With("component", "control"))
	if err != nil {
		return nil, err
	}
	return func() {
		// A backup in flight gets the drain timeout, like a page.
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			s.log.Warn("closing control socket", "err", err)
		}
	}, nil
}

// backupSource returns what an online backup copies: the data folder with
// a snapshot of the open database, less the files still being written and
// the policy update's scratch folder, which contain no acknowledged data.
func (s *Server) backupSource() backup.Source {
	staging := relativeToData(s.cfg.Data, s.cfg.PolicyStagingDir())
	return backup.Source{
		Dir:        s.cfg.Data,
		SnapshotDB: s.db.Backup,
		Exclude: func(rel string) bool {
			return rel == control.SocketName || rel == staging ||
				strings.HasSuffix(path.Base(rel), attach.TempFileSuffix)
		},
	}
}

// relativeToData returns dir relative to the data folder, or "" when dir
// lies outside it.
func relativeToData(data, dir string) string {
	rel, ok := strings.CutPrefix(dir, data+"/")
	if !ok {
		return ""
	}
	return rel
}

// recordBackup puts a completed online backup on the audit trail. The
// control socket admits only the hub's own user, so the actor is the
// command line on this machine.
func (s *Server) recordBackup(files int) {
	e := audit.CLIEntry(audit.BackupWritten, "", fmt.Sprintf("在线备份，共 %d 个文件", files))
	if err := s.audit.Record(context.Background(), e); err != nil {
		s.log.Error("recording backup in the audit trail failed", "err", err)
	}
}
