package pulse

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/jfreymuth/pulse"
	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/mediadevices/pkg/wave"
)

// Options configures the driver. The zero value records mono 48 kHz audio
// from the default source of the server that PULSE_SERVER names, or else
// of the server at $XDG_RUNTIME_DIR/pulse/native.
type Options struct {
	// Server is a PulseAudio server string such as
	// "unix:/run/user/1000/pulse/native". Empty means the client library's
	// default described above.
	Server string

	// Source is the name of the source to record from, as `pactl list
	// short sources` prints it. Empty means the server's default source.
	Source string

	// Label is the driver label that device selection matches. Empty means
	// "pulse".
	Label string

	// SampleRate is in hertz. Zero means 48000, the Opus clock rate.
	SampleRate int

	// Channels is 1 or 2. Zero means 1.
	Channels int

	// Latency is the length of one chunk passed to the encoder. Zero means
	// 20 ms, the Opus frame length WebRTC uses.
	Latency time.Duration

	// ReadTimeout is how long a read waits for audio before it fails, so a
	// server that stopped sending is noticed. Zero means 3 s.
	ReadTimeout time.Duration
}

// DefaultLabel is the label of a driver registered without one.
const DefaultLabel = "pulse"

// maxBuffered bounds the audio kept between the server and the encoder, so
// a stalled encoder adds at most this much delay before old audio is
// dropped.
const maxBuffered = time.Second

// ErrClosed is returned by reads after the driver was closed.
var ErrClosed = errors.New("pulse: driver is closed")

func (o Options) withDefaults() (Options, error) {
	if o.Label == "" {
		o.Label = DefaultLabel
	}
	if o.SampleRate == 0 {
		o.SampleRate = 48000
	}
	if o.Channels == 0 {
		o.Channels = 1
	}
	if o.Latency == 0 {
		o.Latency = 20 * time.Millisecond
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = 3 * time.Second
	}

	if o.Channels != 1 && o.Channels != 2 {
		return o, fmt.Errorf("pulse: channels %d is invalid: use 1 or 2", o.Channels)
	}
	if o.SampleRate < 8000 || o.SampleRate > 192000 {
		return o, fmt.Errorf("pulse: sample rate %d Hz is out of range: use 8000 to 192000",
			o.SampleRate)
	}
	if o.Latency < time.Millisecond || o.Latency > time.Second {
		return o, fmt.Errorf("pulse: latency %v is out of range: use 1ms to 1s", o.Latency)
	}

	return o, nil
}

// Register adds a driver with opts to mediadevices' driver manager and
// returns its label. The driver connects to the server only when
// mediadevices opens it.
func Register(opts Options) (string, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return "", err
	}

	err = driver.GetManager().Register(&Driver{opts: o}, driver.Info{
		Label:      o.Label,
		DeviceType: driver.Microphone,
		Priority:   driver.PriorityHigh,
		Name:       "PulseAudio " + sourceName(o.Source),
	})
	if err != nil {
		return "", fmt.Errorf("registering pulse driver %q: %w", o.Label, err)
	}

	return o.Label, nil
}

func sourceName(source string) string {
	if source == "" {
		return "default source"
	}

	return source
}

// Driver records from one PulseAudio source. It implements mediadevices'
// driver.Adapter and driver.AudioRecorder. Register builds and registers
// one, and tests may call its methods directly.
type Driver struct {
	opts Options

	mu     sync.Mutex
	client *pulse.Client
	source *pulse.Source
	stream *pulse.RecordStream
	buffer *sampleBuffer
}

// NewDriver returns a closed driver for opts.
func NewDriver(opts Options) (*Driver, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}

	return &Driver{opts: o}, nil
}

// Open connects to the server and looks up the source, so a missing server
// or source fails here with its name rather than at the first read.
func (d *Driver) Open() error {
	var clientOpts []pulse.ClientOption
	clientOpts = append(clientOpts, pulse.ClientApplicationName("wenban kiosk"))
	if d.opts.Server != "" {
		clientOpts = append(clientOpts, pulse.ClientServerString(d.opts.Server))
	}

	client, err := pulse.NewClient(clientOpts...)
	if err != nil {
		return fmt.Errorf("connecting to PulseAudio server %q: %w", serverName(d.opts.Server), err)
	}

	source, err := lookupSource(client, d.opts.Source)
	if err != nil {
		client.Close()
		return err
	}

	d.mu.Lock()
	d.client = client
	d.source = source
	d.mu.Unlock()
	return nil
}

func serverName(server string) string {
	if server == "" {
		return "default"
	}

	return server
}

func lookupSource(client *pulse.Client, name string) (*pulse.Source, error) {
	if name == "" {
		source, err := client.DefaultSource()
		if err != nil {
			return nil, fmt.Errorf("looking up the default PulseAudio source: %w", err)
		}
		return source, nil
	}

	source, err := client.SourceByID(name)
	if err != nil {
		return nil, fmt.Errorf("looking up PulseAudio source %q: %w", name, err)
	}

	return source, nil
}

// Close stops recording and disconnects. Reads in progress return io.EOF.
func (d *Driver) Close() error {
	d.mu.Lock()
	stream, client, buffer := d.stream, d.client, d.buffer
	d.stream, d.client, d.source, d.buffer = nil, nil, nil, nil
	d.mu.Unlock()

	if buffer != nil {
		buffer.close()
	}
	if stream != nil {
		stream.Stop()
		stream.Close()
	}
	if client != nil {
		client.Close()
	}

	return nil
}

// Properties lists the one format the driver records in. The server
// resamples from whatever the source delivers.
func (d *Driver) Properties() []prop.Media {
	return []prop.Media{{
		Audio: prop.Audio{
			SampleRate:    d.opts.SampleRate,
			ChannelCount:  d.opts.Channels,
			Latency:       d.opts.Latency,
			IsFloat:       true,
			IsInterleaved: true,
			SampleSize:    4,
		},
	}}
}

// AudioRecord starts a record stream and returns a reader of chunks of
// opts.Latency each.
func (d *Driver) AudioRecord(p prop.Media) (audio.Reader, error) {
	d.mu.Lock()
	defer d.mu.Unlock()

	if d.client == nil {
		return nil, fmt.Errorf("recording from PulseAudio: %w", ErrClosed)
	}
	if d.stream != nil {
		return nil, fmt.Errorf("recording from PulseAudio source %q: already recording",
			sourceName(d.opts.Source))
	}

	chunkFrames := int(int64(d.opts.SampleRate) * int64(d.opts.Latency) / int64(time.Second))
	maxFrames := int(int64(d.opts.SampleRate) * int64(maxBuffered) / int64(time.Second))
	buffer := newSampleBuffer(d.opts.Channels, maxFrames)

	stream, err := d.client.NewRecord(pulse.Float32Writer(buffer.write), d.recordOptions()...)
	if err != nil {
		return nil, fmt.Errorf("creating record stream on PulseAudio source %q: %w",
			sourceName(d.opts.Source), err)
	}
	stream.Start()
	d.stream = stream
	d.buffer = buffer

	r := &reader{
		buffer:      buffer,
		stream:      stream,
		chunkFrames: chunkFrames,
		info: wave.ChunkInfo{
			Len:          chunkFrames,
			Channels:     d.opts.Channels,
			SamplingRate: d.opts.SampleRate,
		},
		timeout: d.opts.ReadTimeout,
	}
	return r, nil
}

func (d *Driver) recordOptions() []pulse.RecordOption {
	opts := []pulse.RecordOption{pulse.RecordSource(d.source)}
	if d.opts.Channels == 2 {
		opts = append(opts, pulse.RecordStereo)
	} else {
		opts = append(opts, pulse.RecordMono)
	}

	// The latency option reads the rate and channels, so it comes last.
	opts = append(opts,
		pulse.RecordSampleRate(d.opts.SampleRate),
		pulse.RecordLatency(d.opts.Latency.Seconds()),
		pulse.RecordMediaName("wenban kiosk microphone"))
	return opts
}

// reader returns fixed-size chunks from the buffer the stream fills.
type reader struct {
	buffer      *sampleBuffer
	stream      *pulse.RecordStream
	chunkFrames int
	info        wave.ChunkInfo
	timeout     time.Duration
}

func (r *reader) Read() (wave.Audio, func(), error) {
	chunk := wave.NewFloat32Interleaved(r.info)

	err := r.buffer.read(chunk.Data, r.timeout)
	if errors.Is(err, errTimeout) {
		if streamErr := r.stream.Error(); streamErr != nil {
			return nil, func() {}, fmt.Errorf("recording from PulseAudio: %w", streamErr)
		}
		return nil, func() {}, fmt.Errorf("recording from PulseAudio: no audio for %v", r.timeout)
	}
	if err != nil {
		return nil, func() {}, err
	}

	return chunk, func() {}, nil
}

var errTimeout = errors.New("pulse: read timed out")

// sampleBuffer is a bounded FIFO of interleaved samples between the
// client's callback and the encoder's reads.
type sampleBuffer struct {
	channels  int
	maxFrames int

	mu      sync.Mutex
	samples []float32
	closed  bool
	ready   chan struct{} // signalled after each write and on close
}

func newSampleBuffer(channels, maxFrames int) *sampleBuffer {
	return &sampleBuffer{
		channels:  channels,
		maxFrames: maxFrames,
		ready:     make(chan struct{}, 1),
	}
}

// write appends samples and drops the oldest ones beyond maxFrames. It
// never fails, because an error would stop the stream for good.
func (b *sampleBuffer) write(samples []float32) (int, error) {
	b.mu.Lock()
	b.samples = append(b.samples, samples...)
	if excess := len(b.samples) - b.maxFrames*b.channels; excess > 0 {
		b.samples = b.samples[:copy(b.samples, b.samples[excess:])]
	}
	b.mu.Unlock()

	b.signal()
	return len(samples), nil
}

func (b *sampleBuffer) signal() {
	select {
	case b.ready <- struct{}{}:
	default:
	}
}

func (b *sampleBuffer) close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()

	b.signal()
}

// read fills dst completely and fails with errTimeout when that takes
// longer than timeout.
func (b *sampleBuffer) read(dst []float32, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()

	for {
		b.mu.Lock()
		if b.closed {
			b.mu.Unlock()
			return io.EOF
		}
		if len(b.samples) >= len(dst) {
			copy(dst, b.samples)
			b.samples = b.samples[:copy(b.samples, b.samples[len(dst):])]
			b.mu.Unlock()
			return nil
		}
		b.mu.Unlock()

		select {
		case <-b.ready:
		case <-timer.C:
			return errTimeout
		}
	}
}
