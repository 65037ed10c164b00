package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	"github.com/codetaoist/taishang-ai/clients/go/internal/testservice"
	"github.com/codetaoist/taishang-ai/clients/go/model"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
)

const streamMethod = "/taishang.ai.v1.ModelService/StreamGenerateText"

// longPrompt at temperature 0 makes SmolLM2 write until max_tokens (1000 tokens take ~15 s
// here), so a generation that stops early was stopped by the cancel.
const longPrompt = "Count from 1 to 500, writing every number in words, separated by commas."

var long = params(map[string]any{"max_tokens": 1000})

// withRequestID tags a call so its line in the server's log can be found.
func withRequestID(ctx context.Context, id string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "x-request-id", id)
}

// callEnd waits (bounded) for the server's log line closing the call with that request id.
func callEnd(t *testing.T, requestID string) testservice.Line {
	t.Helper()
	line, err := svc.WaitForLog(ctxFor(t, 10*time.Second), func(l testservice.Line) bool {
		return l["requestId"] == requestID && l["msg"] == "grpc call"
	})
	must(t, err)
	return line
}

// Chunks, then exactly one finished message carrying the totals, then the loop ends; at
// temperature 0 the chunks add up to the unary call's text.
func TestStreamGenerateText(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	p := params(map[string]any{"max_tokens": 16})
	const prompt = "Name a color of the sky."
	unary, err := models.GenerateText(ctx, textModel, prompt, p)
	must(t, err)

	var chunks []model.Chunk
	for c, err := range models.StreamGenerateText(ctx, textModel, prompt, p) {
		must(t, err)
		chunks = append(chunks, c)
	}
	if len(chunks) < 3 {
		t.Fatalf("want several chunks, got %d", len(chunks))
	}
	var text strings.Builder
	for i, c := range chunks[:len(chunks)-1] {
		if c.Finished || c.Metadata != nil {
			t.Fatalf("chunk %d of %d is marked finished or has metadata: %+v", i, len(chunks), c)
		}
		text.WriteString(c.Text)
	}
	last := chunks[len(chunks)-1]
	if !last.Finished || last.Text != "" {
		t.Fatalf("last message = %+v, want finished with no text", last)
	}
	if text.String() != unary.Text {
		t.Fatalf("stream text %q != unary text %q", text.String(), unary.Text)
	}
	if last.Metadata["tokens_used"] != float64(unary.TokensUsed) || last.Metadata["completion_tokens"] != unary.Metadata["completion_tokens"] {
		t.Fatalf("finished metadata %v, unary %d tokens %v", last.Metadata, unary.TokensUsed, unary.Metadata)
	}

	// Errors before the first chunk come out once, as status errors, and end the loop.
	cases := []struct {
		name   string
		model  string
		prompt string
		params map[string]any
		want   codes.Code
	}{
		{"unknown model", "ghost", "hi", nil, codes.NotFound},
		{"empty prompt", textModel, "  ", nil, codes.InvalidArgument},
		{"bad parameter", textModel, "hi", map[string]any{"max_tokens": -5}, codes.InvalidArgument},
		{"parameter the wire cannot carry (client side)", textModel, "hi", map[string]any{"f": func() {}}, codes.InvalidArgument},
		{"embedding model", embeddingModel, "hi", nil, codes.FailedPrecondition},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			for chunk, err := range models.StreamGenerateText(ctx, c.model, c.prompt, c.params) {
				n++
				if chunk.Text != "" || chunk.Finished || chunk.Metadata != nil {
					t.Fatalf("got a chunk %+v", chunk)
				}
				wantCode(t, err, c.want)
			}
			if n != 1 {
				t.Fatalf("want exactly one (error) yield, got %d", n)
			}
		})
	}
}

// Cancelling the Go context mid-stream stops the generation on the server: the loop gets
// Canceled at once, the server logs the call's end as CANCELLED, and a generation queued behind
// it on the single-context model runs right away instead of ~15 s later.
func TestStreamCancelStopsServerGeneration(t *testing.T) {
	const requestID = "go-test-stream-cancel"
	ctx, cancel := context.WithCancel(withRequestID(context.Background(), requestID))
	defer cancel()

	type outcome struct {
		res  *model.GenerateResult
		err  error
		done time.Time
	}
	queued := make(chan outcome, 1)
	var cancelledAt time.Time
	var streamErr error
	received := 0
	for c, err := range models.StreamGenerateText(ctx, textModel, longPrompt, long) {
		if err != nil {
			streamErr = err
			continue // the sequence ends after an error
		}
		if c.Finished {
			t.Fatal("the long generation finished: it was not stopped")
		}
		received++
		if received == 3 {
			// A short generation arrives while the long one holds the model's only context.
			go func() {
				ctx := withRequestID(ctxFor(t, time.Minute), "go-test-after-cancel")
				res, err := models.GenerateText(ctx, textModel, "Say hi.", params(map[string]any{"max_tokens": 4}))
				queued <- outcome{res, err, time.Now()}
			}()
			time.Sleep(500 * time.Millisecond)
			select {
			case o := <-queued:
				t.Fatalf("the second generation did not wait for the first (concurrency > 1?): %+v", o)
			default:
			}
			cancelledAt = time.Now()
			cancel()
		}
	}
	stoppedIn := time.Since(cancelledAt)
	wantCode(t, streamErr, codes.Canceled)
	if received != 3 {
		t.Fatalf("received %d chunks; nothing should be yielded after the cancel, which came after 3", received)
	}

	line := callEnd(t, requestID)
	if line["method"] != streamMethod || line["code"] != "CANCELLED" {
		t.Fatalf("server log for the cancelled call: %v", line)
	}

	select {
	case o := <-queued:
		must(t, o.err)
		if strings.TrimSpace(o.res.Text) == "" {
			t.Fatal("the queued generation returned no text")
		}
		t.Logf("%d chunks before the cancel; loop ended %s after it; server call lasted %.0f ms; the queued generation finished %s after the cancel",
			received, stoppedIn, line["durationMs"], o.done.Sub(cancelledAt))
	case <-time.After(20 * time.Second):
		t.Fatal("the queued generation never finished")
	}
}

// Leaving the range loop early (break) cancels the call too.
func TestStreamBreakCancelsCall(t *testing.T) {
	const requestID = "go-test-stream-break"
	ctx := withRequestID(ctxFor(t, time.Minute), requestID)
	received := 0
	for c, err := range models.StreamGenerateText(ctx, textModel, longPrompt, long) {
		must(t, err)
		if c.Text != "" {
			received++
		}
		if received == 2 {
			break
		}
	}
	if line := callEnd(t, requestID); line["code"] != "CANCELLED" {
		t.Fatalf("server log after break: %v", line)
	}
	// The model is free again: the next generation is served (judged by its answer, not by a clock).
	res, err := models.GenerateText(ctxFor(t, time.Minute), textModel, "Say hi.", params(map[string]any{"max_tokens": 4}))
	must(t, err)
	if strings.TrimSpace(res.Text) == "" {
		t.Fatalf("next generation after the break answered %q", res.Text)
	}
}

// A deadline passing (the context's, or the client's default stream timeout when the context has
// none) ends the call DeadlineExceeded on both sides. Whether a chunk arrived before it depends on
// how busy the machine is, so the test holds the outcome, not the timing.
func TestStreamDeadline(t *testing.T) {
	t.Run("context deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(withRequestID(context.Background(), "go-test-stream-deadline"), 1500*time.Millisecond)
		defer cancel()
		chunks, err := drain(models.StreamGenerateText(ctx, textModel, longPrompt, long))
		wantCode(t, err, codes.DeadlineExceeded)
		t.Logf("%d chunks before the deadline", chunks)
		if line := callEnd(t, "go-test-stream-deadline"); line["code"] != "DEADLINE_EXCEEDED" {
			t.Fatalf("server log: %v", line)
		}
	})
	t.Run("default stream timeout", func(t *testing.T) {
		mc, err := client.NewModelClient(svc.GRPCAddr, client.WithInsecure(), client.WithAPIKey(apiKey), client.WithStreamTimeout(1500*time.Millisecond))
		must(t, err)
		defer mc.Close()
		ctx := withRequestID(context.Background(), "go-test-stream-timeout") // no deadline of its own
		chunks, err := drain(model.NewModelAdapter(mc).StreamGenerateText(ctx, textModel, longPrompt, long))
		wantCode(t, err, codes.DeadlineExceeded)
		t.Logf("%d chunks before the timeout", chunks)
		if line := callEnd(t, "go-test-stream-timeout"); line["code"] != "DEADLINE_EXCEEDED" {
			t.Fatalf("server log: %v", line)
		}
	})
}

// drain counts the chunks of a stream and returns its error.
func drain(stream func(func(model.Chunk, error) bool)) (int, error) {
	n := 0
	for c, err := range stream {
		if err != nil {
			return n, err
		}
		if c.Finished {
			return n, nil
		}
		n++
	}
	return n, nil
}
