package container

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// Matroska element ids used here (matroska.org element specification).
const (
	idEBML            = 0x1A45DFA3
	idDocType         = 0x4282
	idSegment         = 0x18538067
	idSeekHead        = 0x114D9B74
	idInfo            = 0x1549A966
	idTimecodeScale   = 0x2AD7B1
	idDuration        = 0x4489
	idMuxingApp       = 0x4D80
	idWritingApp      = 0x5741
	idTracks          = 0x1654AE6B
	idTrackEntry      = 0xAE
	idTrackNumber     = 0xD7
	idTrackUID        = 0x73C5
	idTrackType       = 0x83
	idCodecID         = 0x86
	idCodecPrivate    = 0x63A2
	idAudio           = 0xE1
	idSamplingFreq    = 0xB5
	idChannels        = 0x9F
	idVideo           = 0xE0
	idPixelWidth      = 0xB0
	idPixelHeight     = 0xBA
	idCluster         = 0x1F43B675
	idTimecode        = 0xE7
	idSimpleBlock     = 0xA3
	idBlockGroup      = 0xA0
	idBlock           = 0xA1
	idEBMLVersion     = 0x4286
	idEBMLReadVersion = 0x42F7
	idEBMLMaxIDLength = 0x42F2
	idEBMLMaxSizeLen  = 0x42F3
	idDocTypeVersion  = 0x4287
	idDocTypeRead     = 0x4285
)

// Track types of TrackEntry.
const (
	TrackVideo = 1
	TrackAudio = 2
)

// Track is one WebM track entry.
type Track struct {
	Number       uint64
	Type         uint64
	CodecID      string
	CodecPrivate []byte
	SampleRate   float64
	Channels     uint64
	Width        uint64
	Height       uint64
}

// Frame is one block of a track, with its absolute time.
type Frame struct {
	Track    uint64
	Time     time.Duration
	Keyframe bool
	Data     []byte
}

// File is a parsed WebM file.
type File struct {
	DocType string
	// Duration is the Info element's duration; MediaRecorder leaves it out.
	Duration time.Duration
	Tracks   []Track
	Frames   []Frame
}

// Limits bound what Parse accepts from untrusted input.
type Limits struct {
	// MaxFrames caps the number of blocks. Zero means 1<<20.
	MaxFrames int
	// MaxFrameBytes caps one block. Zero means 4 MiB.
	MaxFrameBytes int
	// MaxTracks caps the track entries. Zero means 8.
	MaxTracks int
}

func (l Limits) withDefaults() Limits {
	if l.MaxFrames <= 0 {
		l.MaxFrames = 1 << 20
	}
	if l.MaxFrameBytes <= 0 {
		l.MaxFrameBytes = 4 << 20
	}
	if l.MaxTracks <= 0 {
		l.MaxTracks = 8
	}
	return l
}

// Small elements (strings, numbers, codec private data) never need more.
const maxSmallElement = 64 << 10

// webmParser walks the element stream flat. It enters every master
// element it recognises and reads the children as they come, so the
// unknown-size Segment and Cluster elements of live recordings parse the
// same way as sized ones.
type webmParser struct {
	e             *ebmlReader
	limits        Limits
	file          File
	timecodeScale uint64
	cluster       int64
	inCluster     bool
	rawDuration   float64
}

// ParseWebM reads a whole WebM file. It rejects laced blocks, which
// browsers do not write, and files over the limits.
func ParseWebM(r io.Reader, limits Limits) (*File, error) {
	p := &webmParser{e: newEBMLReader(r), limits: limits.withDefaults(), timecodeScale: 1_000_000}
	if err := p.header(); err != nil {
		return nil, err
	}
	for {
		id, size, err := p.e.header()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if err := p.element(id, size); err != nil {
			return nil, err
		}
	}
	if len(p.file.Tracks) == 0 {
		return nil, fmt.Errorf("webm has no tracks: %w", ErrInvalid)
	}
	p.file.Duration = time.Duration(p.rawDuration * float64(p.timecodeScale))
	return &p.file, nil
}

func (p *webmParser) header() error {
	id, size, err := p.e.header()
	if err != nil {
		return unexpected(err)
	}
	if id != idEBML {
		return fmt.Errorf("input does not start with an EBML header: %w", ErrInvalid)
	}
	body, err := p.e.payload(size, maxSmallElement)
	if err != nil {
		return err
	}
	inner := newEBMLReader(bytes.NewReader(body))
	for {
		cid, csize, err := inner.header()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		v, err := inner.payload(csize, maxSmallElement)
		if err != nil {
			return err
		}
		if cid == idDocType {
			p.file.DocType = string(v)
		}
	}
	if p.file.DocType != "webm" && p.file.DocType != "matroska" {
		return fmt.Errorf("EBML document type %q is not webm: %w", p.file.DocType, ErrInvalid)
	}
	return nil
}

func (p *webmParser) element(id, size uint64) error {
	switch id {
	case idSegment, idInfo, idTracks, idAudio, idVideo, idBlockGroup:
		return nil
	case idCluster:
		p.inCluster = true
		return nil
	case idTrackEntry:
		if len(p.file.Tracks) == p.limits.MaxTracks {
			return fmt.Errorf("webm has more than %d tracks: %w", p.limits.MaxTracks, ErrInvalid)
		}
		p.file.Tracks = append(p.file.Tracks, Track{})
		return nil
	case idSimpleBlock, idBlock:
		return p.block(id, size)
	case idTimecodeScale, idDuration, idTrackNumber, idTrackType, idCodecID, idCodecPrivate,
		idSamplingFreq, idChannels, idPixelWidth, idPixelHeight, idTimecode:
		body, err := p.e.payload(size, maxSmallElement)
		if err != nil {
			return err
		}
		return p.value(id, body)
	}
	return p.e.skip(size)
}

func (p *webmParser) track() (*Track, error) {
	if len(p.file.Tracks) == 0 {
		return nil, fmt.Errorf("track field outside a track entry: %w", ErrInvalid)
	}
	return &p.file.Tracks[len(p.file.Tracks)-1], nil
}

func (p *webmParser) value(id uint64, body []byte) error {
	var err error
	switch id {
	case idTimecodeScale:
		p.timecodeScale, err = readUint(body)
		if err == nil && (p.timecodeScale == 0 || p.timecodeScale > 1_000_000_000) {
			err = fmt.Errorf("timecode scale %d ns is out of range: %w", p.timecodeScale, ErrInvalid)
		}
		return err
	case idDuration:
		p.rawDuration, err = readFloat(body)
		if err == nil && (p.rawDuration < 0 || p.rawDuration > 1e12 || p.rawDuration != p.rawDuration) {
			err = fmt.Errorf("duration %v is out of range: %w", p.rawDuration, ErrInvalid)
		}
		return err
	case idTimecode:
		tc, err := readUint(body)
		if err != nil {
			return err
		}
		if tc > 1<<40 {
			return fmt.Errorf("cluster timecode %d is out of range: %w", tc, ErrInvalid)
		}
		p.cluster = int64(tc)
		return nil
	}
	t, err := p.track()
	if err != nil {
		return err
	}
	return setTrackField(t, id, body)
}

func setTrackField(t *Track, id uint64, body []byte) error {
	var err error
	switch id {
	case idTrackNumber:
		t.Number, err = readUint(body)
	case idTrackType:
		t.Type, err = readUint(body)
	case idCodecID:
		t.CodecID = string(body)
	case idCodecPrivate:
		t.CodecPrivate = body
	case idSamplingFreq:
		t.SampleRate, err = readFloat(body)
	case idChannels:
		t.Channels, err = readUint(body)
	case idPixelWidth:
		t.Width, err = readUint(body)
	case idPixelHeight:
		t.Height, err = readUint(body)
	}
	return err
}

func (p *webmParser) block(id, size uint64) error {
	if !p.inCluster {
		return fmt.Errorf("block outside a cluster: %w", ErrInvalid)
	}
	if len(p.file.Frames) == p.limits.MaxFrames {
		return fmt.Errorf("webm has more than %d blocks: %w", p.limits.MaxFrames, ErrInvalid)
	}
	body, err := p.e.payload(size, p.limits.MaxFrameBytes)
	if err != nil {
		return err
	}

	// The track number is read from the slice itself: a bufio reader per
	// block would cost 4 KiB each, 1.4 GB for a 2 MiB file of tiny blocks.
	track, n, err := sliceVint(body)
	if err != nil {
		return err
	}
	rest := body[n:]
	if len(rest) < 3 {
		return fmt.Errorf("block header is truncated: %w", ErrInvalid)
	}
	relative := int16(uint16(rest[0])<<8 | uint16(rest[1]))
	flags := rest[2]
	if flags&0x06 != 0 {
		return fmt.Errorf("laced blocks are not supported: %w", ErrInvalid)
	}

	ticks := p.cluster + int64(relative)
	p.file.Frames = append(p.file.Frames, Frame{
		Track:    track,
		Time:     time.Duration(ticks) * time.Duration(p.timecodeScale),
		Keyframe: id == idSimpleBlock && flags&0x80 != 0 || id == idBlock,
		Data:     rest[3:],
	})
	return nil
}
