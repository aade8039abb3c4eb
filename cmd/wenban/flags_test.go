package main

import (
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestUnknownFlagNamedWithUsage(t *testing.T) {
	commands := [][]string{
		{"serve"},
		{"kiosk"},
		{"kiosk", "key"},
		{"kb", "import"},
		{"kb", "export"},
		{"kb", "train"},
		{"kb", "eval"},
		{"policy", "update"},
		{"policy", "check"},
		{"staff", "add"},
		{"staff", "list"},
		{"staff", "reset-password"},
		{"firmware", "keygen"},
		{"firmware", "sign"},
		{"firmware", "verify"},
		{"update", "apply"},
		{"update", "status"},
		{"update", "seed"},
		{"update", "pull"},
		{"provision"},
		{"health-gate"},
		{"backup"},
		{"restore"},
		{"media", "token"},
		{"tls", "ca"},
	}
	for _, command := range commands {
		name := strings.Join(command, " ")
		t.Run(name, func(t *testing.T) {
			args := append(append([]string(nil), command...), "--dta", t.TempDir())
			out, errOut, err := wenban(t, args...)

			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Fatalf("got %v, want exit status 2; stderr %q", err, errOut)
			}
			if want := "wenban " + name + ": 选项 --dta 不存在"; !strings.Contains(errOut, want) {
				t.Errorf("got stderr %q, want it to contain %q", errOut, want)
			}
			if want := "Usage of wenban " + name + ":"; !strings.Contains(errOut, want) {
				t.Errorf("got stderr %q, want the usage %q", errOut, want)
			}
			if out != "" {
				t.Errorf("got stdout %q, want nothing", out)
			}
		})
	}
}

func TestUnknownSubcommandNamedWithUsage(t *testing.T) {
	for _, command := range []string{"kb", "staff", "policy", "firmware", "update", "media", "tls"} {
		t.Run(command, func(t *testing.T) {
			out, errOut, err := wenban(t, command, "--dta", t.TempDir())

			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Fatalf("got %v, want exit status 2; stderr %q", err, errOut)
			}
			if want := "wenban " + command + `: 子命令 "--dta" 不存在`; !strings.Contains(errOut, want) {
				t.Errorf("got stderr %q, want it to contain %q", errOut, want)
			}
			if want := "usage: wenban " + command + " "; !strings.Contains(errOut, want) {
				t.Errorf("got stderr %q, want the usage %q", errOut, want)
			}
			if out != "" {
				t.Errorf("got stdout %q, want nothing", out)
			}
		})
	}
}

func TestFlagErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown long", []string{"--dta", "x"}, "选项 --dta 不存在，请检查拼写；可用的选项见下方列表"},
		{"unknown shorthand", []string{"-z"}, "选项 -z 不存在"},
		{"unknown in group", []string{"-zv"}, "选项 -z 不存在"},
		{"missing value", []string{"--data"}, "选项 --data 缺少取值"},
		{"missing shorthand value", []string{"-o"}, "选项 -o 缺少取值"},
		{"invalid value", []string{"--ttl", "abc"}, `选项 --ttl 的取值 "abc" 无效：time: invalid duration "abc"`},
		{"bad syntax", []string{"---data"}, "选项 ---data 的写法有误，应为 --名称 或 --名称=取值"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("wenban test", pflag.ContinueOnError)
			fs.SetOutput(io.Discard)
			fs.String("data", "", "data folder")
			fs.StringP("output", "o", "", "output file")
			fs.BoolP("verbose", "v", false, "verbose output")
			fs.Duration("ttl", time.Hour, "token lifetime")

			err := fs.Parse(tt.args)
			if err == nil {
				t.Fatalf("parsing %q: got no error, want one", tt.args)
			}
			if got := flagErrorMessage(err); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q, want it to start with %q", got, tt.want)
			}
		})
	}
}

func TestParseFlagsHelpPrintsUsageOnce(t *testing.T) {
	var errOut strings.Builder
	fs := pflag.NewFlagSet("wenban test", pflag.ContinueOnError)
	fs.SetOutput(&errOut)
	fs.String("data", "", "data folder")

	err := parseFlags(fs, []string{"--help"})
	if !errors.Is(err, errUsage) {
		t.Fatalf("got %v, want errUsage", err)
	}
	if got := strings.Count(errOut.String(), "Usage of wenban test:"); got != 1 {
		t.Errorf("got the usage %d times in %q, want once", got, errOut.String())
	}
	if strings.Contains(errOut.String(), "选项") {
		t.Errorf("got %q, want no error message for --help", errOut.String())
	}
}
