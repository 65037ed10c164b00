import type { Server as GrpcJsServer } from '@grpc/grpc-js';
import type { Http2Server, ServerHttp2Session } from 'node:http2';

/**
 * HTTP/2 receive windows wider than the protocol's 64 KiB start, for every connection the server
 * accepts. grpc-js reads every DATA frame as it comes (it has no backpressure of its own below the
 * 64 MiB message limit), so the window only sets how much a client may send before the server's
 * event loop has turned to acknowledge: at 64 KiB a 1.5 MB Insert (1,000 × 384) waited for 24
 * WINDOW_UPDATE round trips, each behind whatever the loop was doing. Measured with bench:ingest,
 * widening them raised one-call-at-a-time ingest from 34k to 45k vectors/s and cut the client's
 * and the service's CPU per batch. grpc-go sizes its windows up to 16 MiB for the same reason.
 */
export const FLOW_WINDOWS = {
  /** Per stream: the SETTINGS_INITIAL_WINDOW_SIZE sent to the client. */
  streamBytes: 4 * 1024 * 1024,
  /** Per connection: shared by the connection's streams. */
  connectionBytes: 16 * 1024 * 1024,
};

/**
 * grpc-js offers no server option for this (its `grpc-node.flow_control_window` is the client's),
 * so the sessions are reached through the server's http2 servers, a private field; a grpc-js
 * without it leaves the windows at their defaults, and http2-flow-windows.test.ts fails.
 */
export function widenFlowWindows(server: GrpcJsServer): void {
  const servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const http2Server of servers.keys()) {
    if (!widened.has(http2Server)) {
      widened.add(http2Server);
      http2Server.on('session', widen);
    }
  }
}

const widened = new WeakSet<Http2Server>();

function widen(session: ServerHttp2Session): void {
  try {
    session.settings({ initialWindowSize: FLOW_WINDOWS.streamBytes });
    session.setLocalWindowSize(FLOW_WINDOWS.connectionBytes);
  } catch {
    // A session closing as it opens: nothing to widen.
  }
}
