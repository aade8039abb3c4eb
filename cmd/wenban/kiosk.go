package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
	"github.com/spf13/pflag"

	"wenban/appliance/config"
	"wenban/appliance/kioskhub"
	"wenban/kiosk/input"
	"wenban/kiosk/media"
	"wenban/kiosk/pulse"
	"wenban/kiosk/terminal"
	"wenban/ui/kiosk"
	"wenban/ui/static"
)

// runKiosk runs a virtual-window terminal: the control channel to the
// hub, camera and microphone publishing, remote-control input and the
// touch screen for the local kiosk browser.
func runKiosk(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) > 0 && args[0] == "key" {
		return runKioskKey(args[1:], out, errOut)
	}

	fs := pflag.NewFlagSet("wenban kiosk", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	config.AddFlags(fs)
	useKioskListen(fs)
	fs.String("hub", "", "hub base URL, such as http://10.20.0.2:8080 (sets kiosk.hub)")
	fs.String("window", "", "ID of the virtual window this terminal serves (sets kiosk.window)")
	hubCert := fs.String("hub-cert", "", "PEM file with the only certificate or CA to trust for an https hub; default hub.pem beside --config when it exists, else the system roots")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	cfg, err := loadKioskConfig(fs)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, errOut).With("role", "kiosk")
	hubTLS, err := kioskHubTLS(cfg.Kiosk.Hub, hubCertPath(*hubCert, fs))
	if err != nil {
		return err
	}

	term, closeInput, err := newTerminal(cfg, hubTLS, log)
	if err != nil {
		return err
	}
	defer closeInput()

	return serveKiosk(ctx, cfg, term, log)
}

func loadKioskConfig(fs *pflag.FlagSet) (config.Config, error) {
	cfg, err := config.Load(fs)
	if err != nil {
		return config.Config{}, err
	}

	if listen, _ := fs.GetString("listen"); fs.Changed("listen") {
		cfg.Kiosk.Listen = listen
	}
	if hub, _ := fs.GetString("hub"); fs.Changed("hub") {
		cfg.Kiosk.Hub = hub
	}
	if window, _ := fs.GetString("window"); fs.Changed("window") {
		cfg.Kiosk.Window = window
	}
	if err := cfg.Kiosk.Validate(); err != nil {
		return config.Config{}, fmt.Errorf("invalid config: %w", err)
	}
	if err := cfg.Kiosk.Require(); err != nil {
		return config.Config{}, err
	}

	return cfg, nil
}

// useKioskListen points the shared --listen flag at kiosk.listen, the
// touch-screen server's address, which is the only listener a kiosk has.
// Only the help text's default changes here, because loadKioskConfig
// applies the flag to kiosk.listen when it is set.
func useKioskListen(fs *pflag.FlagSet) {
	f := fs.Lookup("listen")
	f.Usage = "address of the touch-screen server for the local kiosk browser (sets kiosk.listen)"
	f.DefValue = config.Default().Kiosk.Listen
}

// newTerminal registers the microphone driver, opens the uinput device and
// builds the terminal. The returned function closes the uinput device.
func newTerminal(cfg config.Config, hubTLS *tls.Config, log *slog.Logger) (*terminal.Terminal, func(), error) {
	k := cfg.Kiosk
	hub, err := url.Parse(k.Hub)
	if err != nil {
		return nil, nil, fmt.Errorf("parsing kiosk.hub %q: %w", k.Hub, err)
	}

	key, err := readKioskKey(cfg.KioskKeyPath())
	if err != nil {
		return nil, nil, err
	}

	micOpts := media.AudioOptions{Device: media.DeviceOff}
	if k.Microphone.Source != media.DeviceOff {
		label, err := pulse.Register(pulse.Options{Server: k.Microphone.Server, Source: k.Microphone.Source})
		if err != nil {
			return nil, nil, err
		}
		micOpts.Device = label
	}

	injector, closeInput := openInput(k.Input, log)

	term, err := terminal.New(terminal.Options{
		Hub:            hub,
		Window:         k.Window,
		Key:            key,
		HubTLS:         hubTLS,
		Camera:         videoOptions(k.Camera),
		DocumentCamera: videoOptions(k.DocumentCamera),
		Microphone:     micOpts,
		Encoder: media.EncoderOptions{
			VideoBitrate: k.Camera.Bitrate,
			AudioBitrate: k.Microphone.Bitrate,
		},
		RetryInterval: k.RetryInterval,
		Rediscover:    media.RediscoverCameras,
		Input:         injector,
		Logger:        log,
	})
	if err != nil {
		closeInput()
		return nil, nil, err
	}

	return term, closeInput, nil
}

func videoOptions(c config.KioskCamera) media.VideoOptions {
	return media.VideoOptions{Device: c.Device, Width: c.Width, Height: c.Height, FrameRate: c.FrameRate}
}

// readKioskKey reads the terminal's key, which the technician copies from
// the hub when registering the window.
func readKioskKey(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the kiosk key %s (copy it from the hub, see 安装部署手册): %w", path, err)
	}

	key := strings.TrimSpace(string(data))
	if key == "" {
		return "", fmt.Errorf("kiosk key file %s is empty", path)
	}
	return key, nil
}

// openInput opens the uinput device. A terminal without one still serves
// citizens, so a failure is logged and remote control stays off.
func openInput(c config.KioskInput, log *slog.Logger) (input.Injector, func()) {
	if !c.Enabled {
		log.Info("remote control is switched off in the configuration")
		return nil, func() {}
	}

	dev, err := input.Open(input.Options{Path: c.Device, Width: c.Width, Height: c.Height})
	if err != nil {
		log.Error("opening the uinput device failed; remote control is unavailable",
			"device", c.Device, "error", err)
		return nil, func() {}
	}

	return dev, func() {
		if err := dev.Close(); err != nil {
			log.Warn("closing the uinput device failed", "error", err)
		}
	}
}

// serveKiosk serves the touch screen and runs the terminal until ctx ends.
func serveKiosk(ctx context.Context, cfg config.Config, term *terminal.Terminal, log *slog.Logger) error {
	page := kiosk.Handler(kiosk.Page{Window: cfg.Kiosk.Window, IdleTimeout: cfg.Kiosk.IdleTimeout}, log)
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()

	// Requests derive from runCtx, so stopping cancels the page's
	// long-lived state stream and forwarded WebSockets, which would
	// otherwise hold Shutdown for its whole timeout.
	srv := &http.Server{
		Handler:           term.Handler(terminal.ScreenOptions{Page: page, Static: static.FS}),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return runCtx },
	}

	ln, err := net.Listen("tcp", cfg.Kiosk.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Kiosk.Listen, err)
	}
	log.Info("kiosk screen serving", "listen", ln.Addr().String(), "hub", cfg.Kiosk.Hub,
		"window", cfg.Kiosk.Window)

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	runDone := make(chan struct{})
	go func() {
		defer close(runDone)
		term.Run(runCtx)
	}()

	if _, err := daemon.SdNotify(false, daemon.SdNotifyReady); err != nil {
		log.Warn("notifying systemd", "error", err)
	}

	var failed error
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		failed = fmt.Errorf("serving the kiosk screen: %w", err)
	}

	daemon.SdNotify(false, daemon.SdNotifyStopping)
	stopRun()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("closing the kiosk screen server", "error", err)
	}
	<-runDone

	return failed
}

// runKioskKey creates a window's key on the hub and prints it for the
// technician to copy into the terminal's key file.
func runKioskKey(args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban kiosk key", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	data := fs.String("data", config.Default().Data, "the hub's data folder")
	window := fs.String("window", "", "ID of the virtual window to create a key for")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *window == "" {
		fmt.Fprintln(errOut, "wenban kiosk key: --window is required")
		return errUsage
	}

	keys := kioskhub.DirKeys{Dir: filepath.Join(*data, "kiosks")}
	key, err := keys.CreateKey(*window)
	if err != nil {
		return err
	}
	if err := matchOwner(*data, keys.Dir, filepath.Join(keys.Dir, *window+".key")); err != nil {
		return err
	}

	fmt.Fprintf(out, "窗口 %s 的终端密钥（写入终端的 kiosk.key 文件，旧密钥已失效）：\n%s\n", *window, key)
	return nil
}

// matchOwner gives paths the owner of the data folder, so the hub's
// service user can read a key that root created.
func matchOwner(data string, paths ...string) error {
	info, err := os.Stat(data)
	if err != nil {
		return fmt.Errorf("reading the owner of %s: %w", data, err)
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok || os.Geteuid() != 0 {
		return nil
	}

	for _, p := range paths {
		if err := os.Chown(p, int(st.Uid), int(st.Gid)); err != nil {
			return fmt.Errorf("giving %s the owner of %s: %w", p, data, err)
		}
	}
	return nil
}
