package media

import (
	"encoding/binary"
	"errors"
	"image"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/pion/mediadevices"
	"github.com/pion/mediadevices/pkg/codec/vpx"
	_ "github.com/pion/mediadevices/pkg/driver/audiotest"
	_ "github.com/pion/mediadevices/pkg/driver/videotest"
	"github.com/pion/mediadevices/pkg/prop"
)

func openTestTracks(t *testing.T) (*mediadevices.CodecSelector, mediadevices.Track, mediadevices.Track) {
	t.Helper()

	selector, err := NewCodecSelector(EncoderOptions{})
	if err != nil {
		t.Fatalf("NewCodecSelector: %v", err)
	}
	cam, err := OpenCamera(VideoOptions{Device: "VideoTest", Width: 640, Height: 480}, selector)
	if err != nil {
		t.Fatalf("OpenCamera: %v", err)
	}
	mic, err := OpenMicrophone(AudioOptions{Device: "AudioTest"}, selector)
	if err != nil {
		cam.Close()
		t.Fatalf("OpenMicrophone: %v", err)
	}

	return selector, cam, mic
}

func TestPublishVP8AndOpus(t *testing.T) {
	receiver, srv := newWHIPReceiver(t)
	selector, cam, mic := openTestTracks(t)
	ctx := testContext(t)

	pub, err := Publish(ctx, PublishOptions{
		Endpoint:      srv.URL + "/whip/room-1",
		Token:         testToken,
		Tracks:        []mediadevices.Track{cam, mic},
		Selector:      selector,
		SettingEngine: loopbackSettings(),
	})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}

	select {
	case <-pub.Connected():
	case <-ctx.Done():
		t.Fatal("publication did not connect within the test deadline")
	}

	keyframe := waitKeyframe(t, receiver.videoFrames)
	checkKeyframeHeader(t, keyframe, 640, 480)
	checkDecodes(t, keyframe, 640, 480)
	checkOpusPacket(t, receive(t, receiver.opusPackets, "Opus packet", 10*time.Second))

	// Peer connection first, tracks after: the other order can hang.
	if err := pub.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
	if got := receiver.deletes(); got != 1 {
		t.Errorf("WHIP DELETE requests: got %d, want 1", got)
	}
	cam.Close()
	mic.Close()

	select {
	case <-pub.Ended():
	default:
		t.Error("Ended is still open after Close")
	}
}

// waitKeyframe returns the first VP8 keyframe: bit 0 of the frame tag is
// 0 for a keyframe (RFC 6386, section 9.1).
func waitKeyframe(t *testing.T, frames <-chan []byte) []byte {
	t.Helper()

	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		frame := receive(t, frames, "VP8 frame", time.Until(deadline))
		if len(frame) > 10 && frame[0]&1 == 0 {
			return frame
		}
	}

	t.Fatal("no VP8 keyframe within 15s")
	return nil
}

// checkKeyframeHeader checks the keyframe start code and the 14-bit frame
// size that follows it (RFC 6386, section 9.1).
func checkKeyframeHeader(t *testing.T, frame []byte, width, height int) {
	t.Helper()

	if frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a {
		t.Fatalf("keyframe start code: got % x, want 9d 01 2a", frame[3:6])
	}

	gotWidth := int(binary.LittleEndian.Uint16(frame[6:8]) & 0x3fff)
	gotHeight := int(binary.LittleEndian.Uint16(frame[8:10]) & 0x3fff)
	if gotWidth != width || gotHeight != height {
		t.Errorf("keyframe size: got %dx%d, want %dx%d", gotWidth, gotHeight, width, height)
	}
}

func checkDecodes(t *testing.T, frame []byte, width, height int) {
	t.Helper()

	dec, err := vpx.NewDecoder(&onceReader{data: frame},
		prop.Media{Video: prop.Video{Width: width, Height: height}})
	if err != nil {
		t.Fatalf("creating VP8 decoder: %v", err)
	}
	defer dec.Close()

	img, _, err := dec.Read()
	if err != nil {
		t.Fatalf("decoding the keyframe with libvpx: %v", err)
	}

	want := image.Rect(0, 0, width, height)
	if img.Bounds() != want {
		t.Errorf("decoded frame bounds: got %v, want %v", img.Bounds(), want)
	}
}

// onceReader returns data in one Read, as the VP8 decoder expects one
// frame per Read.
type onceReader struct {
	data []byte
	done bool
}

func (r *onceReader) Read(p []byte) (int, error) {
	if r.done {
		return 0, io.EOF
	}
	r.done = true

	return copy(p, r.data), nil
}

// checkOpusPacket checks the TOC byte (RFC 6716, section 3.1): the
// configuration must be one with 20 ms frames, the frame length the
// encoder is set to.
func checkOpusPacket(t *testing.T, packet []byte) {
	t.Helper()

	if len(packet) < 2 {
		t.Fatalf("Opus packet: got %d bytes, want at least 2", len(packet))
	}

	config := packet[0] >> 3
	twentyMillisecond := map[byte]bool{1: true, 5: true, 9: true, 13: true, 15: true,
		19: true, 23: true, 27: true, 31: true}
	if !twentyMillisecond[config] {
		t.Errorf("Opus TOC configuration: got %d, want one with 20 ms frames", config)
	}
}

func TestPublishRejectedToken(t *testing.T) {
	_, srv := newWHIPReceiver(t)
	selector, cam, mic := openTestTracks(t)
	t.Cleanup(func() {
		cam.Close()
		mic.Close()
	})

	_, err := Publish(testContext(t), PublishOptions{
		Endpoint:      srv.URL + "/whip/room-1",
		Token:         "wrong-token",
		Tracks:        []mediadevices.Track{cam, mic},
		Selector:      selector,
		SettingEngine: loopbackSettings(),
	})

	var statusErr *StatusError
	if !errors.As(err, &statusErr) {
		t.Fatalf("got %v, want a *StatusError", err)
	}
	if statusErr.Status != http.StatusUnauthorized {
		t.Errorf("status: got %d, want %d", statusErr.Status, http.StatusUnauthorized)
	}
}

func TestPublishOptionsInvalid(t *testing.T) {
	tests := []struct {
		name string
		opts PublishOptions
	}{
		{"no endpoint", PublishOptions{Token: "t"}},
		{"no token", PublishOptions{Endpoint: "http://127.0.0.1:1/whip/r"}},
		{"no tracks", PublishOptions{Endpoint: "http://127.0.0.1:1/whip/r", Token: "t"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Publish(testContext(t), tt.opts); err == nil {
				t.Error("got no error, want one")
			}
		})
	}
}

func TestResolveLocation(t *testing.T) {
	tests := []struct {
		name     string
		location string
		want     string
	}{
		{"absolute path", "/whip/r/s1", "http://hub:8080/whip/r/s1"},
		{"relative", "r/s1", "http://hub:8080/whip/r/s1"},
		{"full URL", "http://hub:8080/x", "http://hub:8080/x"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveLocation("http://hub:8080/whip/r", tt.location)
			if err != nil {
				t.Fatalf("resolveLocation: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	if _, err := resolveLocation("http://hub/whip/r", ""); err == nil {
		t.Error("empty Location: got no error, want one")
	}
}

func TestDeviceErrors(t *testing.T) {
	selector, err := NewCodecSelector(EncoderOptions{})
	if err != nil {
		t.Fatalf("NewCodecSelector: %v", err)
	}

	tests := []struct {
		name string
		open func() (mediadevices.Track, error)
		want error
	}{
		{"camera off", func() (mediadevices.Track, error) {
			return OpenCamera(VideoOptions{Device: DeviceOff}, selector)
		}, ErrDisabled},
		{"camera missing", func() (mediadevices.Track, error) {
			return OpenCamera(VideoOptions{Device: "/dev/video99"}, selector)
		}, ErrDeviceMissing},
		{"microphone off", func() (mediadevices.Track, error) {
			return OpenMicrophone(AudioOptions{Device: DeviceOff}, selector)
		}, ErrDisabled},
		{"microphone missing", func() (mediadevices.Track, error) {
			return OpenMicrophone(AudioOptions{Device: "no-such-source"}, selector)
		}, ErrDeviceMissing},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			track, err := tt.open()
			if err == nil {
				track.Close()
				t.Fatalf("got a track, want an error wrapping %v", tt.want)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want an error wrapping %v", err, tt.want)
			}
		})
	}
}

func TestCameraBusyWhileOpen(t *testing.T) {
	selector, cam, mic := openTestTracks(t)
	t.Cleanup(func() {
		cam.Close()
		mic.Close()
	})

	_, err := OpenCamera(VideoOptions{Device: "VideoTest"}, selector)
	if !errors.Is(err, ErrDeviceBusy) {
		t.Errorf("second open: got %v, want an error wrapping ErrDeviceBusy", err)
	}
}

func TestLabelMatches(t *testing.T) {
	tests := []struct {
		name   string
		label  string
		device string
		want   bool
	}{
		{"device path", "video0;video0", "/dev/video0", true},
		{"by-id link", "usb-046d_Cam-video-index0;video2", "/dev/v4l/by-id/usb-046d_Cam-video-index0", true},
		{"real device of a link", "usb-046d_Cam-video-index0;video2", "/dev/video2", true},
		{"whole label", "VideoTest", "VideoTest", true},
		{"other device", "video0;video0", "/dev/video1", false},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := labelMatches(tt.label, tt.device); got != tt.want {
				t.Errorf("labelMatches(%q, %q): got %v, want %v", tt.label, tt.device, got, tt.want)
			}
		})
	}
}
