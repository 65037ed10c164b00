import { Server as GrpcJsServer, ServerCredentials, type MethodDefinition, type ServerOptions, type UntypedHandleCall } from '@grpc/grpc-js';
import { composeServerMiddleware, type CompatServiceDefinition, type ServerMiddleware, type ServiceImplementation } from 'nice-grpc';
import {
  createBidiStreamingMethodHandler,
  createClientStreamingMethodHandler,
  createServerStreamingMethodHandler,
  normalizeServiceDefinition,
  type NiceMethodDefinition,
} from './nice-grpc-internals';
import { widenFlowWindows } from './http2-flow-windows';
import { unaryHandler, type UnaryImplementation, type UnaryScope } from './unary-call';

/** The gRPC server as the app drives it. */
export interface GrpcServer {
  /** Binds and starts serving; the bound port. */
  listen(address: string, credentials?: ServerCredentials): Promise<number>;
  /** Stops accepting calls and waits for the open ones. */
  shutdown(): Promise<void>;
  /** Cancels every open call now. */
  forceShutdown(): void;
}

/** How every call is wrapped: unary calls by `unary`, streams by the nice-grpc middleware `stream`. */
export interface CallScopes<Ext> {
  unary: UnaryScope<Ext>;
  stream: ServerMiddleware<Ext>;
}

/**
 * One grpc-js server with the services added to it: unary methods on grpc-js handlers of ours
 * (unary-call.ts), streaming methods on nice-grpc's handlers with the stream scope and any extra
 * middleware of the service. Handlers are written against nice-grpc's types either way.
 */
export class GrpcServerBuilder<Ext> implements GrpcServer {
  private readonly server: GrpcJsServer;

  constructor(
    options: ServerOptions,
    private readonly scopes: CallScopes<Ext>,
  ) {
    this.server = new GrpcJsServer(options);
  }

  /**
   * Adds a service. `streamMiddleware` runs inside the stream scope for its streaming methods
   * only; `requestDecoders` replace the generated decoder of the methods they name (by method
   * name, e.g. `insert`), for requests whose generated decoding costs too much.
   */
  add<Service extends CompatServiceDefinition, Extra = object>(
    definition: Service,
    implementation: ServiceImplementation<Service, Ext & Extra>,
    { streamMiddleware, requestDecoders = {} }: { streamMiddleware?: ServerMiddleware<Extra, Ext>; requestDecoders?: Record<string, RequestDecoder> } = {},
  ): void {
    const stream = (streamMiddleware === undefined ? this.scopes.stream : composeServerMiddleware(this.scopes.stream, streamMiddleware)) as ServerMiddleware;
    const methods = normalizeServiceDefinition(definition);
    const handlers: Record<string, UntypedHandleCall> = {};
    const wire: Record<string, MethodDefinition<unknown, unknown>> = {};
    for (const [name, method] of Object.entries(methods)) {
      const own = (implementation as Record<string, (request: never, context: never) => unknown>)[name];
      if (own === undefined) throw new Error(`${method.path} has no implementation`);
      const bound = own.bind(implementation);
      wire[name] = grpcJsMethod(method, requestDecoders[name]);
      handlers[name] = !method.requestStream
        ? method.responseStream
          ? createServerStreamingMethodHandler(method, bound, stream)
          : unaryHandler(method.path, bound as UnaryImplementation<Ext>, this.scopes.unary)
        : method.responseStream
          ? createBidiStreamingMethodHandler(method, bound, stream)
          : createClientStreamingMethodHandler(method, bound, stream);
    }
    this.server.addService(wire, handlers);
  }

  listen(address: string, credentials: ServerCredentials = ServerCredentials.createInsecure()): Promise<number> {
    return new Promise((resolve, reject) =>
      this.server.bindAsync(address, credentials, (error, port) => {
        if (error) return reject(error);
        widenFlowWindows(this.server);
        resolve(port);
      }),
    );
  }

  shutdown(): Promise<void> {
    return new Promise((resolve, reject) => this.server.tryShutdown((error) => (error ? reject(error) : resolve())));
  }

  forceShutdown(): void {
    this.server.forceShutdown();
  }
}

/** Bytes of a request to the message its handler gets; a throw answers INTERNAL (grpc-js). */
export type RequestDecoder = (bytes: Uint8Array) => unknown;

/** grpc-js' form of a method; encoded messages become Buffers over the same bytes, not copies. */
function grpcJsMethod(method: NiceMethodDefinition, decode: RequestDecoder | undefined): MethodDefinition<unknown, unknown> {
  return {
    path: method.path,
    requestStream: method.requestStream,
    responseStream: method.responseStream,
    requestSerialize: (value) => asBuffer(method.requestSerialize(value)),
    requestDeserialize: decode ?? ((bytes) => method.requestDeserialize(bytes)),
    responseSerialize: (value) => asBuffer(method.responseSerialize(value)),
    responseDeserialize: (bytes) => method.responseDeserialize(bytes),
  };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
