package pulse

import (
	"context"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jfreymuth/pulse"
	"github.com/pion/mediadevices/pkg/wave"
)

func TestOptionsDefaults(t *testing.T) {
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatalf("withDefaults: %v", err)
	}

	if o.Label != DefaultLabel {
		t.Errorf("Label: got %q, want %q", o.Label, DefaultLabel)
	}
	if o.SampleRate != 48000 {
		t.Errorf("SampleRate: got %d, want 48000", o.SampleRate)
	}
	if o.Channels != 1 {
		t.Errorf("Channels: got %d, want 1", o.Channels)
	}
	if o.Latency != 20*time.Millisecond {
		t.Errorf("Latency: got %v, want 20ms", o.Latency)
	}
}

func TestOptionsInvalid(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"three channels", Options{Channels: 3}, "channels 3"},
		{"rate too low", Options{SampleRate: 100}, "sample rate 100"},
		{"latency too long", Options{Latency: 2 * time.Second}, "latency 2s"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.opts.withDefaults()
			if err == nil {
				t.Fatalf("got no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSampleBufferDropsOldest(t *testing.T) {
	b := newSampleBuffer(1, 4)
	b.write([]float32{1, 2, 3})
	b.write([]float32{4, 5, 6})

	dst := make([]float32, 4)
	if err := b.read(dst, time.Second); err != nil {
		t.Fatalf("read: %v", err)
	}

	want := []float32{3, 4, 5, 6}
	for i := range want {
		if dst[i] != want[i] {
			t.Errorf("sample %d: got %v, want %v", i, dst[i], want[i])
		}
	}
}

func TestSampleBufferTimeout(t *testing.T) {
	b := newSampleBuffer(1, 100)
	b.write([]float32{1})

	err := b.read(make([]float32, 2), 10*time.Millisecond)
	if !errors.Is(err, errTimeout) {
		t.Errorf("got %v, want errTimeout", err)
	}
}

func TestSampleBufferClose(t *testing.T) {
	b := newSampleBuffer(1, 100)
	done := make(chan error, 1)
	go func() { done <- b.read(make([]float32, 2), time.Minute) }()

	b.close()

	select {
	case err := <-done:
		if !errors.Is(err, io.EOF) {
			t.Errorf("got %v, want io.EOF", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read did not return within 5s of close")
	}
}

func TestOpenMissingServer(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "native")
	d, err := NewDriver(Options{Server: "unix:" + socket})
	if err != nil {
		t.Fatalf("NewDriver: %v", err)
	}

	err = d.Open()
	if err == nil {
		d.Close()
		t.Fatal("got no error from Open, want a connection error")
	}
	if !strings.Contains(err.Error(), socket) {
		t.Errorf("got error %q, want it to name %q", err, socket)
	}
}

// TestRecordFromServer starts a PulseAudio daemon with a null sink, plays a
// 1 kHz tone into the sink and records the sink's monitor source.
func TestRecordFromServer(t *testing.T) {
	server := startPulseAudio(t)

	d, err := NewDriver(Options{Server: server, Source: "wenbantest.monitor"})
	if err != nil {
		t.Fatalf("NewDriver: %v", err)
	}
	if err := d.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })

	playTone(t, server)

	r, err := d.AudioRecord(d.Properties()[0])
	if err != nil {
		t.Fatalf("AudioRecord: %v", err)
	}

	deadline := time.Now().Add(10 * time.Second)
	var loudest float64
	for time.Now().Before(deadline) && loudest < 0.1 {
		chunk, release, err := r.Read()
		if err != nil {
			t.Fatalf("Read: %v", err)
		}

		info := chunk.ChunkInfo()
		if info.Len != 960 || info.Channels != 1 || info.SamplingRate != 48000 {
			t.Fatalf("chunk: got %d frames, %d channels, %d Hz, want 960, 1, 48000",
				info.Len, info.Channels, info.SamplingRate)
		}
		loudest = math.Max(loudest, rms(chunk.(*wave.Float32Interleaved).Data))
		release()
	}

	if loudest < 0.1 {
		t.Errorf("loudest chunk RMS: got %.3f, want at least 0.1 from the tone", loudest)
	}
}

func rms(samples []float32) float64 {
	var sum float64
	for _, s := range samples {
		sum += float64(s) * float64(s)
	}

	return math.Sqrt(sum / float64(len(samples)))
}

// startPulseAudio runs a PulseAudio daemon that listens only on a socket in
// a temporary folder and returns its server string. It skips the test when
// the pulseaudio binary is missing.
func startPulseAudio(t *testing.T) string {
	t.Helper()

	bin, err := exec.LookPath("pulseaudio")
	if err != nil {
		t.Skip("pulseaudio is not installed (Debian package pulseaudio); skipping the server test")
	}

	dir := t.TempDir()
	socket := filepath.Join(dir, "native")
	for _, sub := range []string{"home", "run"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-n", "--daemonize=no", "--exit-idle-time=-1",
		"--use-pid-file=no", "--disable-shm=yes", "--log-target=stderr",
		"-L", "module-native-protocol-unix socket="+socket+" auth-anonymous=1",
		"-L", "module-null-sink sink_name=wenbantest rate=48000")
	cmd.Env = []string{
		"HOME=" + filepath.Join(dir, "home"),
		"XDG_RUNTIME_DIR=" + filepath.Join(dir, "run"),
		"PATH=/usr/bin:/bin",
	}
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting pulseaudio: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})

	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(socket); err == nil {
			return "unix:" + socket
		}
		select {
		case <-tick.C:
			continue
		case <-deadline:
		}
		break
	}

	t.Fatalf("pulseaudio socket %s did not appear within 10s; log:\n%s", socket, logs.String())
	return ""
}

// playTone plays a 1 kHz sine at half scale into the default sink until the
// test ends.
func playTone(t *testing.T, server string) {
	t.Helper()

	client, err := pulse.NewClient(pulse.ClientServerString(server))
	if err != nil {
		t.Fatalf("connecting the player: %v", err)
	}

	phase := 0
	tone := func(buf []float32) (int, error) {
		for i := range buf {
			buf[i] = float32(0.5 * math.Sin(2*math.Pi*1000*float64(phase)/48000))
			phase++
		}
		return len(buf), nil
	}

	stream, err := client.NewPlayback(pulse.Float32Reader(tone), pulse.PlaybackMono,
		pulse.PlaybackSampleRate(48000), pulse.PlaybackLatency(0.05))
	if err != nil {
		client.Close()
		t.Fatalf("creating playback stream: %v", err)
	}
	stream.Start()

	t.Cleanup(func() {
		stream.Stop()
		stream.Close()
		client.Close()
	})
}
