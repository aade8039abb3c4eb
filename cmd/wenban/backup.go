package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"wenban/appliance/backup"
	"wenban/appliance/config"
	"wenban/appliance/control"
)

// recoveryKeyEnv lets scripts pass the backup recovery key without it
// showing in the process list.
const recoveryKeyEnv = config.RecoveryKeyEnv

const backupUsage = "usage: wenban backup --data DIR -o FILE [--recovery-key-file FILE]"

func runBackup(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban backup", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	config.AddFlags(fs)
	hideServerFlags(fs)
	output := fs.StringP("output", "o", "", "backup file to write, for example on a USB stick")
	keyFile := fs.String("recovery-key-file", "", "file holding the recovery key, at least "+strconv.Itoa(backup.MinRecoveryKeyLen)+" characters without dashes and spaces; without it and without $"+recoveryKeyEnv+" a new key is generated and shown once")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(errOut, backupUsage)
		return errUsage
	}
	if *output == "" {
		fmt.Fprintln(errOut, "wenban backup: 缺少 -o（--output），请指定要写入的备份文件，例如 U 盘上的 -o /media/usb/wenban.wbk。")
		fmt.Fprintln(errOut, backupUsage)
		return errUsage
	}
	cfg, err := config.Load(fs)
	if err != nil {
		return err
	}

	if err := checkOutputFolder(*output); err != nil {
		return err
	}
	if err := requireDatabase(cfg); err != nil {
		return err
	}
	key, generated, err := backupKey(*keyFile)
	if err != nil {
		return err
	}

	socket := control.SocketPath(cfg.Data)
	if control.Running(socket) {
		n, err := writeOnlineBackup(ctx, *output, socket, key)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "已从运行中的服务中心写入备份 %s（%d 个文件），服务未中断，备份已逐个文件校验。\n", *output, n)
	} else {
		n, err := writeOfflineBackup(cfg, *output, key)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "已写入备份 %s（%d 个文件）。\n", *output, n)
	}
	if generated {
		fmt.Fprintln(out, "备份恢复密钥（只显示这一次，恢复时必须提供，请抄写后交由专人保管）：")
		fmt.Fprintln(out, "  "+key)
	}
	return nil
}

// checkOutputFolder rejects a backup path whose folder is missing or is
// not a folder, before any work is done.
func checkOutputFolder(output string) error {
	dir := filepath.Dir(output)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("备份文件所在的文件夹 %s 不存在，未写入备份。请先插入 U 盘或创建该文件夹，或用 -o 指定已有文件夹中的文件。", dir)
	case err != nil:
		return fmt.Errorf("无法读取备份文件所在的文件夹 %s，请检查路径及其权限：%w", dir, err)
	case !info.IsDir():
		return fmt.Errorf("%s 不是文件夹，未写入备份。请用 -o 指定已有文件夹中的文件。", dir)
	}
	return nil
}

// backupKey returns the recovery key from the file or environment, or a
// new one with generated true. A supplied key that backup.CheckRecoveryKey
// rejects is an error, because a backup contains the master key.
func backupKey(keyFile string) (key string, generated bool, err error) {
	key, supplied, err := suppliedKey(keyFile)
	if err != nil {
		return "", false, err
	}
	if !supplied {
		key, err = backup.NewRecoveryKey()
		return key, true, err
	}
	if err := backup.CheckRecoveryKey(key); err != nil {
		return "", false, fmt.Errorf("恢复密钥过短，至少需要 %d 个字符（不计短横线和空格），未写入备份。"+
			"备份中含有数据库主密钥，建议不要自行指定密钥：去掉 --recovery-key-file 和环境变量 %s 后重新运行 wenban backup，由它生成一个新密钥。\n详细信息：%w",
			backup.MinRecoveryKeyLen, recoveryKeyEnv, err)
	}
	return key, false, nil
}

// suppliedKey returns the recovery key from keyFile or, without one, from
// the environment, with supplied false when neither names a key. It does
// not check the key's strength, so restore still opens backups that older
// versions made with short keys.
func suppliedKey(keyFile string) (key string, supplied bool, err error) {
	if keyFile != "" {
		raw, err := os.ReadFile(keyFile)
		if err != nil {
			return "", false, fmt.Errorf("reading recovery key: %w", err)
		}
		return strings.TrimSpace(string(raw)), true, nil
	}
	if env := os.Getenv(recoveryKeyEnv); env != "" {
		return env, true, nil
	}
	return "", false, nil
}

// writeOfflineBackup backs up a data folder whose hub is stopped, opening
// the database itself.
func writeOfflineBackup(cfg config.Config, output, key string) (int, error) {
	db, err := openStore(cfg)
	if err != nil {
		return 0, fmt.Errorf("打开数据库失败，未写入备份：%w", err)
	}
	defer db.Close()

	var files []backup.FileEntry
	err = writeBackupFile(output, func(w io.Writer) error {
		var err error
		files, err = backup.Create(w, backup.Source{Dir: cfg.Data, SnapshotDB: db.Backup}, key, time.Now())
		return err
	})
	return len(files), err
}

// writeOnlineBackup has the running hub write the backup over its control
// socket. The bytes crossed a socket and a second process, so the file is
// read back and checked whole with the key before it takes its name.
func writeOnlineBackup(ctx context.Context, output, socket, key string) (int, error) {
	var files int
	err := writeBackupFile(output, func(w io.Writer) error {
		var err error
		files, err = control.RequestBackup(ctx, socket, key, w)
		return err
	}, func(tmp string) error {
		f, err := os.Open(tmp)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := backup.Check(bufio.NewReaderSize(f, 1<<20), key); err != nil {
			return fmt.Errorf("备份写完后校验失败，未保留该文件，请重试：%w", err)
		}
		return nil
	})
	return files, err
}

// writeBackupFile writes a backup through a temporary file beside path,
// runs each check on the finished file, and renames it only when all
// pass.
func writeBackupFile(path string, write func(io.Writer) error, checks ...func(tmp string) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("无法在文件夹 %s 中创建备份文件，请检查该文件夹的写入权限和剩余空间：%w", filepath.Dir(path), err)
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	for _, check := range checks {
		if err == nil {
			err = check(tmp.Name())
		}
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("写入备份 %s 失败：%w", path, err)
	}
	return nil
}

func runRestore(_ context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban restore", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	config.AddFlags(fs)
	hideServerFlags(fs)
	keyFile := fs.String("recovery-key-file", "", "file holding the recovery key; default $"+recoveryKeyEnv+" or one line on standard input")
	force := fs.Bool("force", false, "replace a data folder that holds files (the old one is kept beside it)")
	owner := fs.String("owner", "", "user that owns the restored files, such as wenban; default the current user")
	checkOnly := fs.Bool("check", false, "only check the backup, write nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(errOut, "usage: wenban restore --data DIR [--force] [--owner USER] [--check] [--recovery-key-file FILE] BACKUP")
		return errUsage
	}
	cfg, err := config.Load(fs)
	if err != nil {
		return err
	}

	key, err := restoreKey(*keyFile, os.Stdin)
	if err != nil {
		return err
	}
	if *checkOnly {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("opening backup: %w", err)
		}
		defer f.Close()
		summary, err := backup.Check(bufio.NewReaderSize(f, 1<<20), key)
		if err != nil {
			return restoreError(err)
		}
		fmt.Fprintf(out, "备份完整，可以恢复：%d 个文件，制作于 %s。\n", len(summary.Files), hubTime(cfg, summary.Created))
		return nil
	}

	if err := rejectRunningHub(cfg); err != nil {
		return err
	}
	opts := backup.RestoreOptions{Force: *force, Owner: -1, Group: -1}
	if *owner != "" {
		if opts.Owner, opts.Group, err = lookupOwner(*owner); err != nil {
			return err
		}
	}
	summary, err := backup.Restore(fs.Arg(0), cfg.Data, key, opts, time.Now())
	if err != nil {
		return restoreError(err)
	}
	fmt.Fprintf(out, "已将备份（%d 个文件，制作于 %s）恢复到 %s。\n",
		len(summary.Files), hubTime(cfg, summary.Created), cfg.Data)
	if summary.Replaced != "" {
		fmt.Fprintf(out, "原数据目录已移到 %s，确认恢复无误后可删除。\n", summary.Replaced)
	}
	return nil
}

func restoreKey(keyFile string, stdin io.Reader) (string, error) {
	key, supplied, err := suppliedKey(keyFile)
	if err != nil || supplied {
		return key, err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading recovery key from standard input: %w", err)
	}
	if strings.TrimSpace(line) == "" {
		return "", fmt.Errorf("请提供备份恢复密钥（--recovery-key-file、环境变量 %s 或标准输入）", recoveryKeyEnv)
	}
	return strings.TrimSpace(line), nil
}

func restoreError(err error) error {
	switch {
	case errors.Is(err, backup.ErrCorrupt):
		return fmt.Errorf("备份文件已损坏、不完整，或恢复密钥不正确；未写入任何数据。\n详细信息：%w", err)
	case errors.Is(err, backup.ErrTargetNotEmpty):
		return fmt.Errorf("目标数据目录不是空的；确需覆盖时加 --force（原目录会保留在旁边）。\n详细信息：%w", err)
	}
	return err
}

func lookupOwner(name string) (int, int, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return 0, 0, fmt.Errorf("looking up user %q: %w", name, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("user %q has uid %q gid %q", name, u.Uid, u.Gid)
	}
	return uid, gid, nil
}
