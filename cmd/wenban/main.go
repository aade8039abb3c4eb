// Command wenban is the Wenban appliance: the hub that serves citizens and
// staff seats, and the tools technicians and staff run beside it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, out, errOut io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "启动问办中心服务（群众页面、坐席、智能客服）", runServe},
		{"kb", "知识库工具：import、export、train、eval", runKB},
		{"staff", "坐席账号工具：add、list、reset-password", runStaff},
		{"version", "显示版本", runVersion},
	}
}

// errUsage marks a command-line mistake; main exits with status 2 for it.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()

	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "wenban:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(errOut)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], out, errOut)
		}
	}
	fmt.Fprintf(errOut, "wenban: unknown command %q\n\n", args[0])
	usage(errOut)
	return errUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: wenban COMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run wenban COMMAND --help for the flags of a command.")
}

func runVersion(_ context.Context, _ []string, out, _ io.Writer) error {
	fmt.Fprintln(out, "wenban", version)
	return nil
}
