package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"wenban/appliance/audit"
	"wenban/appliance/auth"
)

func runStaff(ctx context.Context, args []string, out, errOut io.Writer) error {
	sub := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"add":            runStaffAdd,
		"list":           runStaffList,
		"reset-password": runStaffReset,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		printUnknownSubcommand(errOut, "staff", args)
		fmt.Fprintln(errOut, "usage: wenban staff add|list|reset-password --data DIR [flags]")
		fmt.Fprintln(errOut, "  add --login L --name 姓名 [--role agent|supervisor|admin]   新建坐席账号并显示初始密码")
		fmt.Fprintln(errOut, "  list                                                       列出账号")
		fmt.Fprintln(errOut, "  reset-password --login L                                   重置密码并显示新密码")
		return errUsage
	}
	return sub[args[0]](ctx, args[1:], out, errOut)
}

// openAuth opens the data folder's account service for a tool.
func openAuth(name string, args []string, errOut io.Writer, extra func(*pflag.FlagSet)) (*auth.Service, *audit.Log, func(), error) {
	cfg, _, err := kbFlags(name, args, errOut, extra)
	if err != nil {
		return nil, nil, nil, err
	}
	db, err := openStore(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	return auth.NewService(db, auth.Options{}), audit.New(db, audit.Options{}), func() { db.Close() }, nil
}

// recordCLI adds an account change made from the command line to the
// audit trail, which administrators read on the 操作日志 page, so changes
// that bypass the pages are on record too.
func recordCLI(ctx context.Context, trail *audit.Log, action audit.Action, target string) error {
	return recordCLIDetail(ctx, trail, action, target, "")
}

// recordCLIDetail is recordCLI with a short fact about the change.
func recordCLIDetail(ctx context.Context, trail *audit.Log, action audit.Action, target, detail string) error {
	if err := trail.Record(ctx, audit.CLIEntry(action, target, detail)); err != nil {
		return fmt.Errorf("the change is saved, but recording it in the audit trail failed: %w", err)
	}
	return nil
}

func runStaffAdd(ctx context.Context, args []string, out, errOut io.Writer) error {
	var login, name, role string
	svc, trail, done, err := openAuth("staff add", args, errOut, func(fs *pflag.FlagSet) {
		fs.StringVar(&login, "login", "", "login name: 3 to 32 of a-z 0-9 . _ -")
		fs.StringVar(&name, "name", "", "display name shown to citizens")
		fs.StringVar(&role, "role", "agent", "role: agent, supervisor or admin")
	})
	if err != nil {
		return err
	}
	defer done()

	r, err := auth.ParseRole(role)
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}

	// The hub creates the first administrator only while no account exists,
	// so a data folder whose first account comes from here gets it now.
	adminLogin, adminPassword, created, err := svc.EnsureAdmin(ctx)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(out, "首次使用，已创建管理员账号：%s  初始密码：%s（请登录后立即修改）\n", adminLogin, adminPassword)
	}
	password, err := auth.GeneratePasswordFor(login)
	if err != nil {
		return err
	}
	acct, err := svc.CreateAccount(ctx, login, name, r, password)
	if err != nil {
		return fmt.Errorf("creating account: %s", auth.UserMessage(err))
	}
	fmt.Fprintf(out, "已创建账号 %s（%s，%s），初始密码：%s\n", acct.Login, acct.DisplayName, acct.Role.Label(), password)
	return recordCLI(ctx, trail, audit.AccountCreated, acct.ID)
}

func runStaffList(ctx context.Context, args []string, out, errOut io.Writer) error {
	svc, _, done, err := openAuth("staff list", args, errOut, nil)
	if err != nil {
		return err
	}
	defer done()

	accounts, err := svc.Accounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		state := "启用"
		if a.Disabled {
			state = "停用"
		}
		fmt.Fprintf(out, "%s\t%s\t%s\t%s\n", a.Login, a.DisplayName, a.Role.Label(), state)
	}
	return nil
}

func runStaffReset(ctx context.Context, args []string, out, errOut io.Writer) error {
	var login string
	svc, trail, done, err := openAuth("staff reset-password", args, errOut, func(fs *pflag.FlagSet) {
		fs.StringVar(&login, "login", "", "login name of the account")
	})
	if err != nil {
		return err
	}
	defer done()

	accounts, err := svc.Accounts(ctx)
	if err != nil {
		return err
	}
	var target, admin *auth.Account
	for i := range accounts {
		a := &accounts[i]
		if strings.EqualFold(a.Login, login) {
			target = a
		}
		if a.Role == auth.RoleAdmin && !a.Disabled && admin == nil {
			admin = a
		}
	}
	if target == nil {
		return fmt.Errorf("no account has login %q: run wenban staff list to see them", login)
	}
	if admin == nil {
		admin = target
	}

	password, err := auth.GeneratePasswordFor(login)
	if err != nil {
		return err
	}
	if err := svc.ResetPassword(ctx, admin.ID, target.ID, password); err != nil {
		return fmt.Errorf("resetting password: %s", auth.UserMessage(err))
	}
	fmt.Fprintf(out, "账号 %s 的新密码：%s（请登录后立即修改）\n", target.Login, password)
	return recordCLI(ctx, trail, audit.PasswordReset, target.ID)
}
