package container

import (
	"encoding/binary"
	"fmt"
)

// OpusSamples returns the play time of an Opus packet in 48 kHz samples,
// from its TOC byte and frame count (RFC 6716, section 3.1).
func OpusSamples(packet []byte) (int, error) {
	if len(packet) == 0 {
		return 0, fmt.Errorf("empty opus packet: %w", ErrInvalid)
	}
	toc := packet[0]
	config := int(toc >> 3)

	// Frame sizes in units of 2.5 ms (120 samples at 48 kHz).
	var units int
	switch {
	case config < 12: // SILK: 10, 20, 40, 60 ms
		units = [4]int{4, 8, 16, 24}[config%4]
	case config < 16: // hybrid: 10, 20 ms
		units = [2]int{4, 8}[config%2]
	default: // CELT: 2.5, 5, 10, 20 ms
		units = [4]int{1, 2, 4, 8}[config%4]
	}

	frames := 1
	switch toc & 3 {
	case 1, 2:
		frames = 2
	case 3:
		if len(packet) < 2 {
			return 0, fmt.Errorf("opus packet lacks its frame count: %w", ErrInvalid)
		}
		frames = int(packet[1] & 0x3f)
	}
	samples := frames * units * 120
	if samples == 0 || samples > 5760 {
		return 0, fmt.Errorf("opus packet of %d samples breaks the 120 ms bound: %w", samples, ErrInvalid)
	}
	return samples, nil
}

// OpusHead is the identification header of an Opus stream (RFC 7845,
// section 5.1), which WebM carries as the track's CodecPrivate.
type OpusHead struct {
	Channels        uint8
	PreSkip         uint16
	InputSampleRate uint32
	OutputGain      int16
	MappingFamily   uint8
	// Mapping is the stream count, coupled count and channel mapping of
	// family 1 and above.
	Mapping []byte
}

// ParseOpusHead reads an OpusHead packet.
func ParseOpusHead(b []byte) (OpusHead, error) {
	if len(b) < 19 || string(b[:8]) != "OpusHead" {
		return OpusHead{}, fmt.Errorf("codec private data is not an OpusHead: %w", ErrInvalid)
	}
	h := OpusHead{
		Channels:        b[9],
		PreSkip:         binary.LittleEndian.Uint16(b[10:]),
		InputSampleRate: binary.LittleEndian.Uint32(b[12:]),
		OutputGain:      int16(binary.LittleEndian.Uint16(b[16:])),
		MappingFamily:   b[18],
	}
	if b[8]>>4 != 0 || h.Channels == 0 {
		return OpusHead{}, fmt.Errorf("OpusHead version %d with %d channels is not supported: %w", b[8], h.Channels, ErrInvalid)
	}
	if h.MappingFamily != 0 {
		if len(b) < 21+int(h.Channels) {
			return OpusHead{}, fmt.Errorf("OpusHead lacks its channel mapping: %w", ErrInvalid)
		}
		h.Mapping = b[19 : 21+int(h.Channels)]
	} else if h.Channels > 2 {
		return OpusHead{}, fmt.Errorf("OpusHead family 0 with %d channels: %w", h.Channels, ErrInvalid)
	}
	return h, nil
}

// Bytes encodes the header as WebM's CodecPrivate carries it.
func (h OpusHead) Bytes() []byte {
	b := make([]byte, 0, 19+len(h.Mapping))
	b = append(b, "OpusHead"...)
	b = append(b, 1, h.Channels)
	b = binary.LittleEndian.AppendUint16(b, h.PreSkip)
	b = binary.LittleEndian.AppendUint32(b, h.InputSampleRate)
	b = binary.LittleEndian.AppendUint16(b, uint16(h.OutputGain))
	b = append(b, h.MappingFamily)
	return append(b, h.Mapping...)
}
