package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/pflag"
	bolterrors "go.etcd.io/bbolt/errors"

	"wenban/appliance/config"
	"wenban/appliance/store"
)

// requireDatabase rejects a data folder without a hub database. Tools
// other than serve and restore work on an existing hub's data, and
// opening the store would otherwise create a new master key and an empty
// database in the wrong folder, such as the default one.
func requireDatabase(cfg config.Config) error {
	path := cfg.DatabasePath()
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("数据目录 %s 中没有问办数据库 %s。请用 --data 指定服务中心的数据目录；新建服务中心请先运行 wenban serve", cfg.Data, path)
	default:
		return fmt.Errorf("无法读取数据目录 %s 中的数据库，请检查 --data 指定的目录及其权限：%w", cfg.Data, err)
	}
}

// openStore opens the data folder's existing database for a tool. It
// fails fast, with a message for staff, when a running hub holds the
// database.
func openStore(cfg config.Config) (*store.DB, error) {
	if err := requireDatabase(cfg); err != nil {
		return nil, err
	}
	return createStore(cfg)
}

// createStore opens the data folder's database like openStore, creating
// the folder, the master key and the database when they are missing.
func createStore(cfg config.Config) (*store.DB, error) {
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("无法创建数据目录 %s，请检查 --data 指定的目录及其权限：%w", cfg.Data, err)
	}
	master, err := cfg.OpenMasterKey()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(cfg.DatabasePath(), master)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("数据目录 %s 的数据库正被问办服务占用。请先停止正在运行的问办服务（systemctl stop wenban，或在运行 make run 的终端按 Ctrl+C）再操作，完成后再启动服务。\n详细信息：%w", cfg.Data, err)
	}
	return db, err
}

// hideServerFlags hides the shared flags that only a running server
// reads, so the --help of an offline tool lists only flags it uses. The
// flags stay accepted, because scripts may pass them to every command.
func hideServerFlags(fs *pflag.FlagSet) {
	for _, name := range []string{"listen", "log-level"} {
		if fs.Lookup(name) != nil {
			_ = fs.MarkHidden(name)
		}
	}
}
