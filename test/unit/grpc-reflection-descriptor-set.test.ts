import { join, resolve } from 'node:path';
import { FileDescriptorSet } from 'protobufjs/ext/descriptor';
import { reflectionDescriptorSet } from '../../src/grpc/reflection-descriptor-set';
import { tempDir } from '../support/temp-dirs';

const REPO = resolve(__dirname, '..', '..');

function fileNames(bytes: Uint8Array): string[] {
  return (FileDescriptorSet.decode(bytes) as unknown as { file: { name: string }[] }).file.map((f) => f.name);
}

describe('reflectionDescriptorSet', () => {
  it('serves the project protos plus grpc.health.v1 from the sources', () => {
    const names = fileNames(reflectionDescriptorSet(join(REPO, 'src', 'grpc')));
    expect(names).toEqual(expect.arrayContaining(['taishang/ai/v1/vector_service.proto', 'grpc/health/v1/health.proto']));
    expect(names.filter((n) => n === 'grpc/health/v1/health.proto')).toHaveLength(1);
  });

  it('finds src/gen from a compiled dist/grpc that got no copy of it', () => {
    const fromDist = reflectionDescriptorSet(join(REPO, 'dist', 'grpc'));
    expect(fileNames(fromDist)).toContain('taishang/ai/v1/vector_service.proto');
  });

  it('says where it looked and how to fix it when the file is missing', async () => {
    const nowhere = join(await tempDir('no-gen'), 'a', 'grpc');
    expect(() => reflectionDescriptorSet(nowhere)).toThrow(/descriptor-set\.binpb not found .*npm run generate/);
  });
});
