package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// BenchmarkAskHTTP measures the whole ask path as a citizen page sees it:
// HTTP, validation, the bot and the sealed record of the question.
func BenchmarkAskHTTP(b *testing.B) {
	r, bodies, client := askBench(b)

	for i := 0; b.Loop(); i++ {
		ask(b, client, r.url, bodies[i%len(bodies)])
	}
}

// BenchmarkAskHTTPParallel is the same with many pages asking at once,
// where the question records share disk syncs.
func BenchmarkAskHTTPParallel(b *testing.B) {
	r, bodies, client := askBench(b)
	b.SetParallelism(8)

	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			ask(b, client, r.url, bodies[i%len(bodies)])
		}
	})
}

func askBench(b *testing.B) (*running, [][]byte, *http.Client) {
	r := startHub(b, b.TempDir())
	questions := []string{
		"二手房过户需要带哪些材料",
		"房产证丢了怎么补办",
		"宅基地怎么申请",
		"采矿许可证到期了怎么延续",
		"公积金怎么提取",
	}
	bodies := make([][]byte, len(questions))
	for i, q := range questions {
		bodies[i], _ = json.Marshal(map[string]string{"question": q})
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	return r, bodies, client
}

func ask(b *testing.B, client *http.Client, base string, body []byte) {
	resp, err := client.Post(base+"/api/v1/bot/ask", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("ask: got status %d", resp.StatusCode)
	}
}
