// Package client is the Go side of taishang-ai's gRPC contract (package taishang.ai.v1):
// VectorClient and ModelClient wrap the generated stubs with connection options (TLS or
// insecure, an API key sent as per-RPC credentials, a default timeout, keepalive agreed with the
// server, 64 MiB messages).
//
// Every method takes a context.Context and returns gRPC status errors unchanged, so
// status.Code(err) tells NotFound from AlreadyExists from InvalidArgument. Errors the client finds
// itself (a bad option, a stream that ends without its finished message) are status errors too.
//
// Most Go services use these through the adapters in the vector and model packages, which speak
// plain Go types (map[string]any metadata and filters) instead of protobuf messages.
package client
