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
		{"kiosk", "启动自助终端（摄像头、麦克风、高拍仪、远程协助）", runKiosk},
		{"kb", "知识库工具：import、export、train、eval", runKB},
		{"policy", "政策法规库工具：update、check", runPolicy},
		{"staff", "坐席账号工具：add、list、reset-password", runStaff},
		{"firmware", "固件签名工具：keygen、sign、verify", runFirmware},
		{"update", "系统更新：apply、status、pull", runUpdate},
		{"provision", "终端初始化：角色、服务中心地址、窗口、网络、时间服务器", runProvision},
		{"health-gate", "启动健康检查（由系统服务调用，决定是否确认本次启动）", runHealthGate},
		{"backup", "备份数据目录（加密，含数据库、附件和密钥）", runBackup},
		{"media", "音视频工具：token（生成 WHIP/WHEP 访问令牌）", runMedia},
		{"tls", "HTTPS 证书工具：ca（输出供坐席和终端导入的本机 CA 证书）", runTLS},
		{"restore", "从备份恢复数据目录", runRestore},
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
			err := c.run(ctx, args[1:], out, errOut)
			if errors.Is(err, errUsage) && helpRequested(args[1:]) {
				// The command printed its usage on request, which is no mistake.
				return nil
			}
			return err
		}
	}
	fmt.Fprintf(errOut, "wenban: unknown command %q\n\n", args[0])
	usage(errOut)
	return errUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: wenban COMMAND [flags]")
	fmt.Fprintln(w)
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run wenban COMMAND --help for the flags of a command.")
}

func runVersion(_ context.Context, _ []string, out, _ io.Writer) error {
	fmt.Fprintln(out, "wenban", version)
	return nil
}

// helpRequested reports whether args ask for help with -h, --help or a
// leading "help", before any "--" that ends the flags.
func helpRequested(args []string) bool {
	for i, a := range args {
		switch {
		case a == "--":
			return false
		case a == "-h" || a == "--help" || (i == 0 && a == "help"):
			return true
		}
	}
	return false
}
