import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileDescriptorSet } from 'protobufjs/ext/descriptor';

const FILE_NAME = 'descriptor-set.binpb';

/**
 * Where `npm run generate` puts the FileDescriptorSet, seen from this file: `../gen` is right
 * when running the sources (tsx, jest) or a dist/ that got a copy of src/gen's file;
 * `../../src/gen` is right for dist/grpc inside the repository, since `tsc` copies no assets.
 */
export function descriptorSetCandidates(dir: string = __dirname): string[] {
  return [join(dir, '..', 'gen', FILE_NAME), join(dir, '..', '..', 'src', 'gen', FILE_NAME)];
}

/**
 * The descriptors server reflection serves: the project's protos (read once, at build time) plus
 * grpc.health.v1, which nice-grpc-server-health implements but ships no descriptor for. Without
 * it grpcurl could list Health but not describe or call it.
 */
export function reflectionDescriptorSet(dir: string = __dirname): Uint8Array {
  const candidates = descriptorSetCandidates(dir);
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) {
    throw new Error(`gRPC reflection: ${FILE_NAME} not found (looked in ${candidates.join(', ')}); run 'npm run generate'`);
  }
  const own = readFileSync(path);
  const names = (FileDescriptorSet.decode(own) as unknown as { file: { name?: string }[] }).file.map((f) => f.name);
  if (names.includes(HEALTH_PROTO.name)) return own;
  // Two encoded FileDescriptorSets concatenate into one: `file` is a repeated field.
  return Buffer.concat([own, FileDescriptorSet.encode(FileDescriptorSet.fromObject({ file: [HEALTH_PROTO] })).finish()]);
}

const LABEL_OPTIONAL = 1;
const TYPE_STRING = 9;
const TYPE_ENUM = 14;

/** grpc/health/v1/health.proto (Check and Watch, as nice-grpc-server-health serves them). */
const HEALTH_PROTO = {
  name: 'grpc/health/v1/health.proto',
  package: 'grpc.health.v1',
  syntax: 'proto3',
  messageType: [
    {
      name: 'HealthCheckRequest',
      field: [{ name: 'service', number: 1, label: LABEL_OPTIONAL, type: TYPE_STRING, jsonName: 'service' }],
    },
    {
      name: 'HealthCheckResponse',
      field: [
        {
          name: 'status',
          number: 1,
          label: LABEL_OPTIONAL,
          type: TYPE_ENUM,
          typeName: '.grpc.health.v1.HealthCheckResponse.ServingStatus',
          jsonName: 'status',
        },
      ],
      enumType: [
        {
          name: 'ServingStatus',
          value: [
            { name: 'UNKNOWN', number: 0 },
            { name: 'SERVING', number: 1 },
            { name: 'NOT_SERVING', number: 2 },
            { name: 'SERVICE_UNKNOWN', number: 3 },
          ],
        },
      ],
    },
  ],
  service: [
    {
      name: 'Health',
      method: [
        { name: 'Check', inputType: '.grpc.health.v1.HealthCheckRequest', outputType: '.grpc.health.v1.HealthCheckResponse' },
        {
          name: 'Watch',
          inputType: '.grpc.health.v1.HealthCheckRequest',
          outputType: '.grpc.health.v1.HealthCheckResponse',
          serverStreaming: true,
        },
      ],
    },
  ],
};
