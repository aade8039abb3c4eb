package attach

import (
	"context"
	"io"
	"testing"
)

// BenchmarkPut measures sealing a 20 MiB upload, the default file limit.
func BenchmarkPut(b *testing.B) {
	s, _ := newTestStore(b)
	const size = 20 << 20
	b.SetBytes(size)
	for b.Loop() {
		m, err := s.Put(context.Background(), PutRequest{Conversation: "c", Kind: KindFile, Name: "a.txt",
			MaxBytes: size, Allowed: fileTypes}, &countingReader{n: size})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Delete(context.Background(), m.ID)
		b.StartTimer()
	}
}

// BenchmarkRead measures decrypting a 20 MiB blob from start to end.
func BenchmarkRead(b *testing.B) {
	s, _ := newTestStore(b)
	const size = 20 << 20
	m, err := s.Put(context.Background(), PutRequest{Conversation: "c", Kind: KindFile, Name: "a.txt",
		MaxBytes: size, Allowed: fileTypes}, &countingReader{n: size})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	for b.Loop() {
		r, err := s.Open(m, "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}
