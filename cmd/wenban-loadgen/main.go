// Command wenban-loadgen measures how many concurrent 1:1 video calls the
// hub's SFU forwards on this machine. It starts the SFU in a child
// process on 127.0.0.1, then adds calls in steps: each call is two pion
// clients in one room, each publishing synthetic VP8 at -bitrate and Opus
// at about 32 kbps and receiving the other's. After every step it
// reports the SFU process's CPU use, the machine's, the packet loss seen
// by the receivers over the step's window, and the time from a call's
// second join to its first forwarded video packet. It stops at the first
// step over -max-loss or -max-cpu, which applies to the SFU process
// because the clients, on the same machine, use CPU too.
//
//	go run ./cmd/wenban-loadgen -steps 2,4,8,12,16 -window 10s
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	steps   []int
	window  time.Duration
	warmup  time.Duration
	bitrate int
	maxLoss float64
	maxCPU  float64
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	serve := flag.Bool("serve", false, "run the SFU side (started by the load generator itself)")
	steps := flag.String("steps", "2,4,8,12,16,24,32", "comma-separated numbers of concurrent calls to measure")
	window := flag.Duration("window", 10*time.Second, "measurement window of each step")
	warmup := flag.Duration("warmup", 3*time.Second, "settling time after adding a step's calls")
	bitrate := flag.Int("bitrate", 500_000, "VP8 bitrate of each client, in bits per second")
	maxLoss := flag.Float64("max-loss", 1, "stop after the first step with more video loss than this, in percent")
	maxCPU := flag.Float64("max-cpu", 80, "stop after the first step whose SFU process uses more than this share of the machine's CPU, in percent")
	flag.Parse()

	var err error
	if *serve {
		err = serveHub(ctx, log)
	} else {
		var o options
		o, err = parseOptions(*steps, *window, *warmup, *bitrate, *maxLoss, *maxCPU)
		if err == nil {
			err = run(ctx, o, log, os.Stdout)
		}
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "wenban-loadgen:", err)
		os.Exit(1)
	}
}

func parseOptions(steps string, window, warmup time.Duration, bitrate int, maxLoss, maxCPU float64) (options, error) {
	o := options{window: window, warmup: warmup, bitrate: bitrate, maxLoss: maxLoss, maxCPU: maxCPU}
	for _, text := range strings.Split(steps, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil || n < 1 {
			return o, fmt.Errorf("invalid -steps entry %q: want positive call counts such as 2,4,8", text)
		}
		o.steps = append(o.steps, n)
	}
	if !slices.IsSorted(o.steps) {
		return o, fmt.Errorf("-steps %q must be in ascending order", steps)
	}
	if window <= 0 || bitrate <= 0 {
		return o, errors.New("-window and -bitrate must be positive")
	}

	return o, nil
}

// startHub starts this binary with -serve and returns the process and the
// signalling address it printed.
func startHub(ctx context.Context) (*exec.Cmd, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", fmt.Errorf("locating own binary: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, "-serve")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("starting hub process: %w", err)
	}
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()

		return nil, "", fmt.Errorf("reading hub address: %w", err)
	}

	return cmd, strings.TrimSpace(addr), nil
}

func run(ctx context.Context, o options, log *slog.Logger, out io.Writer) error {
	hub, addr, err := startHub(ctx)
	if err != nil {
		return err
	}
	defer func() {
		_ = hub.Process.Signal(os.Interrupt)
		_ = hub.Wait()
	}()

	cores := runtime.NumCPU()
	fmt.Fprintf(out, "machine: %d cores, %s; VP8 %d kbps + Opus each way per call\n",
		cores, cpuModel(), o.bitrate/1000)
	fmt.Fprintln(out, "calls  sfu_cpu%  machine_cpu%  video_loss%  forwarded_mbps  first_video_p50_ms  first_video_p95_ms")

	var calls []*loadCall
	defer func() {
		for _, c := range calls {
			c.close()
		}
	}()
	for _, n := range o.steps {
		for len(calls) < n {
			c, err := startCall(ctx, addr, len(calls), o.bitrate, log)
			if err != nil {
				return err
			}
			calls = append(calls, c)
		}
		r, err := measure(ctx, hub.Process.Pid, cores, calls, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%5d  %8.1f  %12.1f  %11.2f  %14.1f  %18.0f  %18.0f\n", n, r.sfuCPU, r.machineCPU,
			r.loss, r.mbps, r.firstP50.Seconds()*1000, r.firstP95.Seconds()*1000)
		if r.loss > o.maxLoss || r.sfuCPU > o.maxCPU {
			fmt.Fprintf(out, "stopped: step %d is over %.1f%% loss or %.0f%% SFU CPU\n", n, o.maxLoss, o.maxCPU)

			return nil
		}
	}

	return nil
}

func cpuModel() string {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}

	return "unknown CPU"
}
