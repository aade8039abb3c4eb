package main

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"wenban/appliance/config"
)

// hubLockTimeout bounds the wait for the database lock. A hub holds the
// lock for as long as it runs, so waiting longer changes nothing.
const hubLockTimeout = 500 * time.Millisecond

// rejectRunningHub fails when a hub serves from the data folder. Restore
// renames the folder away, and a running hub would keep writing to the
// renamed database, so those writes would be lost at its next start.
//
// The hub holds an exclusive lock on wenban.db through bbolt while it
// runs, so a shared read-only open times out. Any other open error, such
// as a missing or damaged database, means no hub holds it, and restoring
// over a damaged database is what restore is for.
//
// NOTE: a hub started after this check and before the folder is swapped
// is not detected.
func rejectRunningHub(cfg config.Config) error {
	db, err := bolt.Open(cfg.DatabasePath(), 0o600, &bolt.Options{Timeout: hubLockTimeout, ReadOnly: true})
	if err == nil {
		err = db.Close()
	}
	if errors.Is(err, bolterrors.ErrTimeout) {
		return fmt.Errorf("数据目录 %s 正被运行中的问办服务（或另一条 wenban 命令）使用，未恢复任何数据。请先停止问办服务（systemctl stop wenban，或在运行 make run 的终端按 Ctrl+C），再运行 wenban restore，恢复完成后再启动服务。", cfg.Data)
	}
	return nil
}

// beijingTime is used when the configured zone cannot be loaded. China
// has kept UTC+8 without daylight saving since 1991.
var beijingTime = time.FixedZone("CST", 8*3600)

// hubTime formats t as the hub's pages do: in the zone of the working
// hours (hours.zone, by default Asia/Shanghai), to the minute.
func hubTime(cfg config.Config, t time.Time) string {
	loc, err := time.LoadLocation(cfg.Hours.Zone)
	if err != nil {
		loc = beijingTime
	}
	return t.In(loc).Format("2006-01-02 15:04")
}
