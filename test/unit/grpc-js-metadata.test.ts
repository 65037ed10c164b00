import { Metadata as GrpcJsMetadata } from '@grpc/grpc-js';
import { GrpcJsMetadataView } from '../../src/grpc/grpc-js-metadata';
import { DEADLINE_METADATA_KEY, stampDeadline } from '../../src/grpc/call-deadline';

describe('GrpcJsMetadataView: nice-grpc metadata over grpc-js metadata, no copies', () => {
  it('reads what grpc-js received and writes through to the metadata grpc-js sends', () => {
    const received = new GrpcJsMetadata();
    received.add('x-request-id', 'abc');
    received.add('multi', 'one');
    received.add('multi', 'two');
    const view = new GrpcJsMetadataView(received);
    expect(view.get('x-request-id')).toBe('abc');
    expect(view.getAll('multi')).toEqual(['one', 'two']);
    expect(view.has('absent')).toBe(false);
    expect(view.get('absent')).toBeUndefined();

    view.set('multi', ['three']);
    view.append('x-other', 'v');
    view.delete('x-request-id');
    expect(received.get('multi')).toEqual(['three']);
    expect(received.get('x-other')).toEqual(['v']);
    expect(received.get('x-request-id')).toEqual([]);
    expect([...view]).toEqual([
      ['multi', ['three']],
      ['x-other', ['v']],
    ]);
  });

  it('passes binary values as Buffers over the same bytes, and knows when it is empty', () => {
    const view = new GrpcJsMetadataView();
    expect(view.isEmpty()).toBe(true);
    const bytes = new Uint8Array([1, 2, 3]);
    view.set('grpc-status-details-bin', bytes);
    const sent = view.grpc.get('grpc-status-details-bin')[0] as Buffer;
    expect(Buffer.isBuffer(sent)).toBe(true);
    expect(sent.buffer).toBe(bytes.buffer);
    expect(view.isEmpty()).toBe(false);
  });

  it('refuses a key grpc-js would refuse to send', () => {
    expect(() => new GrpcJsMetadataView().set('Bad Key!', 'v')).toThrow();
  });
});

describe('stampDeadline', () => {
  it('replaces a value the client sent under the deadline key, and removes it when there is no deadline', () => {
    const metadata = new GrpcJsMetadata();
    metadata.add(DEADLINE_METADATA_KEY, '1');
    stampDeadline(metadata, 1_700_000_000_000);
    expect(metadata.get(DEADLINE_METADATA_KEY)).toEqual(['1700000000000']);
    stampDeadline(metadata, Infinity);
    expect(metadata.get(DEADLINE_METADATA_KEY)).toEqual([]);
  });
});
