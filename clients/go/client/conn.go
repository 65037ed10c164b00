package client

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// NewConn makes one connection (lazily dialled, shared by any number of clients) to the service
// at address ("host:port", or any grpc-go target such as "dns:///ai.internal:50051"). Share it
// with NewVectorClientFromConn and NewModelClientFromConn; the caller closes it.
func NewConn(address string, opts ...Option) (*grpc.ClientConn, error) {
	dial, err := buildOptions(opts).dialOptions()
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	conn, err := grpc.NewClient(address, dial...)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "taishang-ai client: %v", err)
	}
	return conn, nil
}
