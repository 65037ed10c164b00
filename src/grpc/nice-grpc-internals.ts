import type { handleBidiStreamingCall, handleClientStreamingCall, handleServerStreamingCall } from '@grpc/grpc-js';
import type { CompatServiceDefinition, ServerMiddleware } from 'nice-grpc';

/**
 * The parts of nice-grpc 2.1.18 (pinned exactly in package.json) that build its grpc-js handlers
 * for streaming methods and read service definitions. Its package exports no types for them,
 * so they are declared here; grpc-server.ts serves unary methods itself and hands every streaming
 * method to these, so streams behave exactly as nice-grpc serves them. A nice-grpc upgrade must
 * check these signatures (the gRPC integration tests exercise every kind of stream).
 */

/** A method as nice-grpc normalizes ts-proto and grpc-js definitions. */
export interface NiceMethodDefinition {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize(value: unknown): Uint8Array;
  requestDeserialize(bytes: Uint8Array): unknown;
  responseSerialize(value: unknown): Uint8Array;
  responseDeserialize(bytes: Uint8Array): unknown;
  options: { idempotencyLevel?: 'IDEMPOTENT' | 'NO_SIDE_EFFECTS' };
}

type Implementation = (request: never, context: never) => unknown;
type Factory<Handler> = (definition: NiceMethodDefinition, implementation: Implementation, middleware: ServerMiddleware | undefined) => Handler;

const definitions = require('nice-grpc/lib/service-definitions') as {
  normalizeServiceDefinition(definition: CompatServiceDefinition): Record<string, NiceMethodDefinition>;
};
const serverStreaming = require('nice-grpc/lib/server/handleServerStreamingCall') as {
  createServerStreamingMethodHandler: Factory<handleServerStreamingCall<unknown, unknown>>;
};
const clientStreaming = require('nice-grpc/lib/server/handleClientStreamingCall') as {
  createClientStreamingMethodHandler: Factory<handleClientStreamingCall<unknown, unknown>>;
};
const bidiStreaming = require('nice-grpc/lib/server/handleBidiStreamingCall') as {
  createBidiStreamingMethodHandler: Factory<handleBidiStreamingCall<unknown, unknown>>;
};

export const normalizeServiceDefinition = definitions.normalizeServiceDefinition;
export const createServerStreamingMethodHandler = serverStreaming.createServerStreamingMethodHandler;
export const createClientStreamingMethodHandler = clientStreaming.createClientStreamingMethodHandler;
export const createBidiStreamingMethodHandler = bidiStreaming.createBidiStreamingMethodHandler;
