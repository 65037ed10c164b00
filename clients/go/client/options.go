package client

import (
	"errors"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
)

const (
	// DefaultTimeout bounds a unary call whose context has no deadline.
	DefaultTimeout = 60 * time.Second
	// DefaultStreamTimeout bounds a streaming call (a whole generation) whose context has no deadline.
	DefaultStreamTimeout = 5 * time.Minute
	// MaxMessageBytes is the server's message limit (64 MiB each way, src/domain/limits.ts).
	MaxMessageBytes = 64 << 20
)

// DefaultKeepalive mirrors the server's own policy (src/grpc/grpc-server-options.ts: it pings an
// idle connection every 60 s and drops it after 20 s without an answer). The server (grpc-js
// 1.14) enforces no minimum ping interval, so pinging every 60 s is always allowed; it also stays
// far above grpc-go's 10 s floor. No pings without active calls: the server's own pings keep an
// idle connection's path alive. A proxy with gRPC's usual 5-minute enforcement in between needs
// WithKeepalive with a longer Time.
var DefaultKeepalive = keepalive.ClientParameters{
	Time:                60 * time.Second,
	Timeout:             20 * time.Second,
	PermitWithoutStream: false,
}

// Option configures a connection made by NewConn, NewVectorClient or NewModelClient.
type Option func(*options)

type options struct {
	transport     credentials.TransportCredentials
	insecure      bool
	apiKey        string
	timeout       time.Duration
	streamTimeout time.Duration
	keepalive     keepalive.ClientParameters
	extra         []grpc.DialOption
}

// WithInsecure uses plaintext HTTP/2, for loopback or a trusted network (the server has no TLS
// of its own; put TLS in front of it with a proxy or a mesh).
func WithInsecure() Option {
	return func(o *options) { o.transport, o.insecure = insecure.NewCredentials(), true }
}

// WithTLS uses the given transport credentials, e.g.
// credentials.NewClientTLSFromCert(pool, "") or credentials.NewTLS(&tls.Config{...}).
func WithTLS(creds credentials.TransportCredentials) Option {
	return func(o *options) { o.transport, o.insecure = creds, false }
}

// WithAPIKey sends "authorization: Bearer <key>" with every call. Over TLS only, unless
// WithInsecure was chosen explicitly (then the key travels in plaintext, which is only sensible
// on loopback or inside a trusted network).
func WithAPIKey(key string) Option {
	return func(o *options) { o.apiKey = key }
}

// WithTimeout sets the deadline given to a unary call whose context has none (DefaultTimeout
// when not set); 0 leaves such calls unbounded. A deadline already on the context always wins.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// WithStreamTimeout is WithTimeout for streaming calls (DefaultStreamTimeout when not set).
func WithStreamTimeout(d time.Duration) Option {
	return func(o *options) { o.streamTimeout = d }
}

// WithKeepalive replaces DefaultKeepalive.
func WithKeepalive(p keepalive.ClientParameters) Option {
	return func(o *options) { o.keepalive = p }
}

// WithDialOptions appends raw grpc dial options (interceptors, a resolver, stats handlers...).
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.extra = append(o.extra, opts...) }
}

func buildOptions(opts []Option) options {
	o := options{timeout: DefaultTimeout, streamTimeout: DefaultStreamTimeout, keepalive: DefaultKeepalive}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

var errNoTransport = errors.New("taishang-ai client: choose a transport with WithInsecure() or WithTLS(creds)")

func (o options) dialOptions() ([]grpc.DialOption, error) {
	if o.transport == nil {
		return nil, errNoTransport
	}
	dial := []grpc.DialOption{
		grpc.WithTransportCredentials(o.transport),
		grpc.WithKeepaliveParams(o.keepalive),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessageBytes), grpc.MaxCallSendMsgSize(MaxMessageBytes)),
		grpc.WithChainUnaryInterceptor(unaryTimeout(o.timeout)),
		grpc.WithChainStreamInterceptor(streamTimeout(o.streamTimeout)),
	}
	if o.apiKey != "" {
		dial = append(dial, grpc.WithPerRPCCredentials(bearerKey{key: o.apiKey, requireTLS: !o.insecure}))
	}
	return append(dial, o.extra...), nil
}
