import type { ServerOptions } from '@grpc/grpc-js';
import { limits } from '../domain';
import { callDeadlineInterceptor } from './call-deadline';

/**
 * grpc-js server settings. Messages up to the documented 64 MiB (grpc-js answers
 * RESOURCE_EXHAUSTED above it, before any handler runs). Keepalive: ping an idle connection every
 * minute and drop it after 20 s without an answer, so calls and health Watch streams of vanished
 * clients are cancelled instead of lingering for hours (grpc-js' default is effectively never).
 * HTTP/2 streams per connection are capped so one client cannot open an unbounded number of calls
 * (grpc-js' default is unlimited); generation streams have their own, lower, service-wide cap.
 */
export function grpcServerOptions(): ServerOptions {
  return {
    'grpc.max_receive_message_length': limits.maxMessageBytes,
    'grpc.max_send_message_length': limits.maxMessageBytes,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.max_concurrent_streams': 1000,
    // Channelz counts every call and stream for a channelz service, which this server does not
    // serve; grpc-js keeps the counts by default, at a cost bench:overhead sees on small calls.
    'grpc.enable_channelz': 0,
    interceptors: [callDeadlineInterceptor],
  };
}
