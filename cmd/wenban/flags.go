package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// parseFlags parses args into fs and returns errUsage on a mistake. pflag
// with ContinueOnError prints nothing for a bad flag, so parseFlags prints
// the parser's error in Chinese and then the flag set's usage to
// fs.Output(). For -h and --help pflag has already printed the usage.
func parseFlags(fs *pflag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pflag.ErrHelp):
		return errUsage
	}

	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), flagErrorMessage(err))
	if fs.Usage != nil {
		fs.Usage()
	} else {
		// The same text pflag prints for --help on a set without Usage.
		fmt.Fprintf(fs.Output(), "Usage of %s:\n", fs.Name())
		fs.PrintDefaults()
	}
	return errUsage
}

// printUnknownSubcommand names the first argument as an unknown
// subcommand of command before the caller prints the usage. It prints
// nothing when there is no argument or the arguments request help.
func printUnknownSubcommand(w io.Writer, command string, args []string) {
	if len(args) == 0 || helpRequested(args) {
		return
	}
	fmt.Fprintf(w, "wenban %s: 子命令 %q 不存在，可用的子命令见下方用法\n", command, args[0])
}

// flagErrorMessage words a pflag error for staff. The flag is named as it
// was typed, so the user can find it on the command line.
func flagErrorMessage(err error) string {
	var (
		notExist *pflag.NotExistError
		required *pflag.ValueRequiredError
		invalid  *pflag.InvalidValueError
		syntax   *pflag.InvalidSyntaxError
	)
	switch {
	case errors.As(err, &notExist):
		return fmt.Sprintf("选项 %s 不存在，请检查拼写；可用的选项见下方列表", typedFlag(notExist.GetSpecifiedName(), notExist.GetSpecifiedShortnames()))
	case errors.As(err, &required):
		return fmt.Sprintf("选项 %s 缺少取值", typedFlag(required.GetSpecifiedName(), required.GetSpecifiedShortnames()))
	case errors.As(err, &invalid):
		return fmt.Sprintf("选项 --%s 的取值 %q 无效：%v", invalid.GetFlag().Name, invalid.GetValue(), errors.Unwrap(invalid))
	case errors.As(err, &syntax):
		return fmt.Sprintf("选项 %s 的写法有误，应为 --名称 或 --名称=取值", syntax.GetSpecifiedFlag())
	}
	return fmt.Sprintf("选项有误：%v", err)
}

// typedFlag returns the flag as the user typed it: "--name", or "-x"
// for a shorthand, alone or in a group such as "-xvf".
func typedFlag(name, shorthands string) string {
	if shorthands == "" {
		return "--" + name
	}
	return "-" + name
}
