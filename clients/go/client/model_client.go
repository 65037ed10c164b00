package client

import (
	"context"
	"errors"
	"io"
	"iter"

	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// ModelClient calls taishang.ai.v1.ModelService: the model registry, generation, embeddings.
type ModelClient struct {
	conn   *grpc.ClientConn // nil when the connection belongs to the caller
	client pb.ModelServiceClient
}

// NewModelClient connects to the service at address with its own connection (see NewConn).
func NewModelClient(address string, opts ...Option) (*ModelClient, error) {
	conn, err := NewConn(address, opts...)
	if err != nil {
		return nil, err
	}
	return &ModelClient{conn: conn, client: pb.NewModelServiceClient(conn)}, nil
}

// NewModelClientFromConn uses a connection the caller owns (from NewConn); Close leaves it open.
func NewModelClientFromConn(conn grpc.ClientConnInterface) *ModelClient {
	return &ModelClient{client: pb.NewModelServiceClient(conn)}
}

// Close closes the connection NewModelClient made.
func (c *ModelClient) Close() error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

// Stub is the generated client, for calls that need every field or call option.
func (c *ModelClient) Stub() pb.ModelServiceClient { return c.client }

// RegisterModel adds a model to the registry; AlreadyExists when the name is taken. Over gRPC an
// unset Enabled is false: set it to register a usable model.
func (c *ModelClient) RegisterModel(ctx context.Context, config *pb.ModelConfig) error {
	res, err := c.client.RegisterModel(ctx, &pb.RegisterModelRequest{Config: config})
	if err != nil {
		return err
	}
	return checkSuccess(res.GetSuccess(), res.GetMessage())
}

// UnregisterModel removes a model from the registry.
func (c *ModelClient) UnregisterModel(ctx context.Context, name string) error {
	_, err := c.client.UnregisterModel(ctx, &pb.UnregisterModelRequest{Name: name})
	return err
}

// ListModels returns every registered model.
func (c *ModelClient) ListModels(ctx context.Context) ([]*pb.ModelConfig, error) {
	res, err := c.client.ListModels(ctx, &emptypb.Empty{})
	return res.GetModels(), err
}

// GetModelInfo returns one model's configuration.
func (c *ModelClient) GetModelInfo(ctx context.Context, name string) (*pb.ModelConfig, error) {
	res, err := c.client.GetModelInfo(ctx, &pb.GetModelInfoRequest{Name: name})
	if err != nil {
		return nil, err
	}
	return res.GetConfig(), nil
}

// UpdateModelConfig replaces a model's whole configuration; an empty config.Name keeps the
// name, another one renames the model.
func (c *ModelClient) UpdateModelConfig(ctx context.Context, name string, config *pb.ModelConfig) error {
	_, err := c.client.UpdateModelConfig(ctx, &pb.UpdateModelConfigRequest{Name: name, Config: config})
	return err
}

// GenerateText runs one generation; parameters (max_tokens, temperature, top_p, stop, seed)
// may be nil.
func (c *ModelClient) GenerateText(ctx context.Context, modelName, prompt string, parameters *structpb.Struct) (*pb.GenerateTextResponse, error) {
	return c.client.GenerateText(ctx, &pb.GenerateTextRequest{ModelName: modelName, Prompt: prompt, Parameters: parameters})
}

// GenerateEmbedding embeds one text.
func (c *ModelClient) GenerateEmbedding(ctx context.Context, modelName, text string) (*pb.GenerateEmbeddingResponse, error) {
	return c.client.GenerateEmbedding(ctx, &pb.GenerateEmbeddingRequest{ModelName: modelName, Text: text})
}

// GenerateEmbeddings embeds up to 2048 texts in one call, one vector per text in input order.
func (c *ModelClient) GenerateEmbeddings(ctx context.Context, modelName string, texts []string) (*pb.GenerateEmbeddingsResponse, error) {
	return c.client.GenerateEmbeddings(ctx, &pb.GenerateEmbeddingsRequest{ModelName: modelName, Texts: texts})
}

// Rerank scores documents against query with a reranker model (e.g. the default
// "all-MiniLM-L6-v2-rerank"): Results come best first (equal scores by index), each with the
// document's position in documents. topN cuts them; 0 returns every document. Limits: 1..1000
// documents, 64 KiB each and 4 MiB in all (ResourceExhausted above them); a model of another kind
// is FailedPrecondition.
func (c *ModelClient) Rerank(ctx context.Context, modelName, query string, documents []string, topN int32) (*pb.RerankResponse, error) {
	return c.client.Rerank(ctx, &pb.RerankRequest{ModelName: modelName, Query: query, Documents: documents, TopN: topN})
}

// errNoFinish reports a stream that ended without the message whose finished is true.
var errNoFinish = status.Error(codes.Internal, "taishang-ai: text stream ended before its finished message")

// StreamGenerateText starts a generation when ranged over and yields its messages as they come:
// text chunks, then exactly one with Finished set (and the token counts in Metadata), after
// which the sequence ends. A failure is yielded once as (nil, err) with a gRPC status error, and
// ends the sequence.
//
// Cancelling ctx, its deadline passing, or leaving the loop early (break) cancels the call,
// which stops the generation on the server and frees the model for the next caller; after a
// cancel no further chunk is yielded, only (nil, err) with codes.Canceled (DeadlineExceeded when
// the deadline passed). Each range makes a new call.
//
//	for msg, err := range mc.StreamGenerateText(ctx, "SmolLM2-135M-Instruct", "Say hi.", nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Print(msg.GetTextChunk())
//	}
func (c *ModelClient) StreamGenerateText(ctx context.Context, modelName, prompt string, parameters *structpb.Struct) iter.Seq2[*pb.StreamGenerateTextResponse, error] {
	req := &pb.StreamGenerateTextRequest{ModelName: modelName, Prompt: prompt, Parameters: parameters}
	return func(yield func(*pb.StreamGenerateTextResponse, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel() // on every way out, so an abandoned loop stops the server's generation
		stream, err := c.client.StreamGenerateText(ctx, req)
		if err != nil {
			yield(nil, err)
			return
		}
		for {
			msg, err := stream.Recv()
			if ctxErr := ctx.Err(); ctxErr != nil {
				// grpc-go still hands over messages buffered before the cancel; nothing after it counts.
				yield(nil, status.FromContextError(ctxErr).Err())
				return
			}
			if errors.Is(err, io.EOF) {
				yield(nil, errNoFinish)
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(msg, nil) {
				return
			}
			if msg.GetFinished() {
				// The server ends the call right after; its status still counts (unless the caller
				// cancelled meanwhile: the generation is complete either way).
				if _, err := stream.Recv(); !errors.Is(err, io.EOF) && ctx.Err() == nil {
					if err == nil {
						err = status.Error(codes.Internal, "taishang-ai: text stream went on after its finished message")
					}
					yield(nil, err)
				}
				return
			}
		}
	}
}
