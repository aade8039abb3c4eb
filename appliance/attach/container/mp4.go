package container

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// opusTimescale is the clock of Opus in MP4: always 48 kHz, whatever the
// input rate (Encapsulation of Opus in ISO Base Media File Format,
// https://opus-codec.org/docs/opus_in_isobmff.html).
const opusTimescale = 48000

// WriteOpusMP4 writes Opus packets as an audio-only MP4 file: ftyp, then
// moov with one 'Opus' track, then one mdat with the packets as they
// are. The edit list skips the encoder's pre-skip, as the encapsulation
// requires. Safari 17 and later is reported to play it in an <audio>
// element, unlike WebM Opus (docs/attachments.md gives the sources), and
// Chrome and Firefox play it as well.
func WriteOpusMP4(w io.Writer, head OpusHead, packets [][]byte) error {
	if len(packets) == 0 {
		return fmt.Errorf("writing mp4: no opus packets")
	}
	if head.MappingFamily != 0 {
		return fmt.Errorf("writing mp4: opus channel mapping family %d is not supported", head.MappingFamily)
	}

	samples := make([]uint32, len(packets))
	var total, payload uint64
	for i, p := range packets {
		n, err := OpusSamples(p)
		if err != nil {
			return fmt.Errorf("writing mp4 sample %d: %w", i, err)
		}
		samples[i] = uint32(n)
		total += uint64(n)
		payload += uint64(len(p))
	}
	if total <= uint64(head.PreSkip) || total > math.MaxUint32 || payload > math.MaxUint32-1<<20 {
		return fmt.Errorf("writing mp4: %d samples and %d bytes are out of range", total, payload)
	}

	ftyp := box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2mp41"))
	moov := opusMoov(head, packets, samples, uint32(total), 0)
	offset := uint32(len(ftyp) + len(moov) + 8)
	moov = opusMoov(head, packets, samples, uint32(total), offset)

	mdatHeader := binary.BigEndian.AppendUint32(nil, uint32(payload)+8)
	mdatHeader = append(mdatHeader, "mdat"...)
	for _, part := range [][]byte{ftyp, moov, mdatHeader} {
		if _, err := w.Write(part); err != nil {
			return fmt.Errorf("writing mp4: %w", err)
		}
	}
	for _, p := range packets {
		if _, err := w.Write(p); err != nil {
			return fmt.Errorf("writing mp4 samples: %w", err)
		}
	}
	return nil
}

func box(kind string, parts ...[]byte) []byte {
	size := 8
	for _, p := range parts {
		size += len(p)
	}
	b := binary.BigEndian.AppendUint32(make([]byte, 0, size), uint32(size))
	b = append(b, kind...)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// fullBox is a box with a version byte and 24 bits of flags.
func fullBox(kind string, version byte, flags uint32, parts ...[]byte) []byte {
	vf := binary.BigEndian.AppendUint32(nil, uint32(version)<<24|flags&0xffffff)
	return box(kind, append([][]byte{vf}, parts...)...)
}

func u32s(vs ...uint32) []byte {
	b := make([]byte, 0, 4*len(vs))
	for _, v := range vs {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}

var unityMatrix = u32s(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)

func opusMoov(head OpusHead, packets [][]byte, samples []uint32, total, offset uint32) []byte {
	played := total - uint32(head.PreSkip)

	mvhd := fullBox("mvhd", 0, 0, u32s(0, 0, opusTimescale, played, 0x00010000),
		[]byte{0x01, 0x00, 0, 0}, make([]byte, 8), unityMatrix, make([]byte, 24), u32s(2))
	tkhd := fullBox("tkhd", 0, 3, u32s(0, 0, 1, 0, played), make([]byte, 8),
		[]byte{0, 0, 0, 0, 0x01, 0x00, 0, 0}, unityMatrix, u32s(0, 0))
	elst := fullBox("elst", 0, 0, u32s(1, played, uint32(head.PreSkip), 0x00010000))
	edts := box("edts", elst)

	mdhd := fullBox("mdhd", 0, 0, u32s(0, 0, opusTimescale, total), []byte{0x55, 0xc4, 0, 0})
	hdlr := fullBox("hdlr", 0, 0, u32s(0), []byte("soun"), make([]byte, 12), []byte("SoundHandler\x00"))
	smhd := fullBox("smhd", 0, 0, u32s(0))
	dinf := box("dinf", fullBox("dref", 0, 0, u32s(1), fullBox("url ", 0, 1)))
	stbl := box("stbl", opusStsd(head), opusStts(samples), fullBox("stsc", 0, 0, u32s(1, 1, uint32(len(packets)), 1)),
		opusStsz(packets), fullBox("stco", 0, 0, u32s(1, offset)))
	minf := box("minf", smhd, dinf, stbl)
	mdia := box("mdia", mdhd, hdlr, minf)
	trak := box("trak", tkhd, edts, mdia)
	return box("moov", mvhd, trak)
}

func opusStsd(head OpusHead) []byte {
	dops := []byte{0, head.Channels}
	dops = binary.BigEndian.AppendUint16(dops, head.PreSkip)
	dops = binary.BigEndian.AppendUint32(dops, head.InputSampleRate)
	dops = binary.BigEndian.AppendUint16(dops, uint16(head.OutputGain))
	dops = append(dops, 0)

	entry := make([]byte, 6, 28)
	entry = binary.BigEndian.AppendUint16(entry, 1) // data reference index
	entry = append(entry, make([]byte, 8)...)
	entry = binary.BigEndian.AppendUint16(entry, uint16(head.Channels))
	entry = binary.BigEndian.AppendUint16(entry, 16)
	entry = append(entry, 0, 0, 0, 0)
	entry = binary.BigEndian.AppendUint32(entry, opusTimescale<<16)
	return fullBox("stsd", 0, 0, u32s(1), box("Opus", entry, box("dOps", dops)))
}

// opusStts run-length encodes the sample durations.
func opusStts(samples []uint32) []byte {
	var runs []uint32
	for i, s := range samples {
		if i > 0 && runs[len(runs)-1] == s {
			runs[len(runs)-2]++
			continue
		}
		runs = append(runs, 1, s)
	}
	return fullBox("stts", 0, 0, u32s(uint32(len(runs)/2)), u32s(runs...))
}

func opusStsz(packets [][]byte) []byte {
	sizes := make([]uint32, len(packets))
	for i, p := range packets {
		sizes[i] = uint32(len(p))
	}
	return fullBox("stsz", 0, 0, u32s(0, uint32(len(packets))), u32s(sizes...))
}
