// Command bench-insert drives `npm run bench:ingest`'s Go side: it sends Insert calls through this
// module's client, as the Go backend does, so the benchmark's client costs on the shared cores
// what the real client costs. It reads the vectors (little-endian float32, count × dim) from a
// file, inserts them in batches of -batch with -inflight calls at a time (ids "v<i>", metadata
// {"seq": i}, as the Node sides send), and prints one JSON line: per-call latencies, the window,
// and this process's CPU time.
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"sync"
	"syscall"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
)

type report struct {
	Vectors    int       `json:"vectors"`
	Seconds    float64   `json:"seconds"`
	LatencyMs  []float64 `json:"latencyMs"`
	CPUSeconds float64   `json:"cpuSeconds"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:50051", "service address")
	collection := flag.String("collection", "", "collection to insert into")
	file := flag.String("vectors", "", "little-endian float32 file, count × dim")
	dim := flag.Int("dim", 384, "dimension")
	batch := flag.Int("batch", 1000, "vectors per Insert")
	inFlight := flag.Int("inflight", 1, "calls in flight")
	flag.Parse()
	if err := run(*addr, *collection, *file, *dim, *batch, *inFlight); err != nil {
		fmt.Fprintln(os.Stderr, "bench-insert:", err)
		os.Exit(1)
	}
}

func run(addr, collection, file string, dim, batch, inFlight int) error {
	values, err := readFloats(file)
	if err != nil {
		return err
	}
	count := len(values) / dim
	conn, err := client.NewConn(addr, client.WithInsecure())
	if err != nil {
		return err
	}
	defer conn.Close()
	vectors := client.NewVectorClientFromConn(conn)
	batches := (count + batch - 1) / batch
	latencies := make([]float64, batches)
	var next int
	var mu sync.Mutex
	var firstErr error
	take := func() int {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil || next >= batches {
			return -1
		}
		next++
		return next - 1
	}
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
		}
	}
	cpu0 := cpuSeconds()
	started := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < inFlight; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := take(); b >= 0; b = take() {
				from, to := b*batch, min((b+1)*batch, count)
				t := time.Now()
				ids, err := vectors.Insert(context.Background(), collection, records(values, dim, from, to))
				latencies[b] = float64(time.Since(t).Microseconds()) / 1000
				if err == nil && len(ids) != to-from {
					err = fmt.Errorf("insert at %d stored %d of %d", from, len(ids), to-from)
				}
				if err != nil {
					fail(err)
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	out := report{Vectors: count, Seconds: time.Since(started).Seconds(), LatencyMs: latencies, CPUSeconds: cpuSeconds() - cpu0}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// records builds one call's vectors, as a caller builds them for each call.
func records(values []float32, dim, from, to int) []*pb.Vector {
	out := make([]*pb.Vector, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, &pb.Vector{
			Id:       fmt.Sprintf("v%d", i),
			Vector:   values[i*dim : (i+1)*dim],
			Metadata: &structpb.Struct{Fields: map[string]*structpb.Value{"seq": structpb.NewNumberValue(float64(i))}},
		})
	}
	return out
}

func readFloats(file string) ([]float32, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	values := make([]float32, len(raw)/4)
	for i := range values {
		values[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[i*4:]))
	}
	return values, nil
}

func cpuSeconds() float64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(usage.Utime) + tv(usage.Stime)
}
