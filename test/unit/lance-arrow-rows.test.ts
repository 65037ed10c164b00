import { Schema } from 'apache-arrow';
import { baseSchema, buildRowBatches, buildRows, textField, typedField } from '../../src/adapters/vector/lance/lance-arrow-rows';
import { leafColumns, typedColumnName } from '../../src/adapters/vector/lance/lance-metadata-columns';
import type { WriteRecord } from '../../src/domain';

/**
 * buildRows writes Arrow buffers by hand (offsets, validity bits); what Arrow reads back from
 * them must be the records: strings with multi-byte characters, nulls in every position of a
 * byte, numbers, booleans as 0/1, float32 vectors from plain numbers and from Float32Arrays.
 */
describe('buildRows', () => {
  const title = typedColumnName(['title'], 'string');
  const year = typedColumnName(['year'], 'number');
  const draft = typedColumnName(['draft'], 'boolean');
  const schema = new Schema([...baseSchema(3).fields.filter((f) => f.name !== 'text'), textField(), typedField(title), typedField(year), typedField(draft)]);

  const records: WriteRecord[] = Array.from({ length: 21 }, (_, i) => ({
    id: i % 5 === 0 ? `ïd-${i}-日本` : `id-${i}`,
    vector: i % 2 === 0 ? [i, -i, 0.5] : Float32Array.of(i, -i, 0.5),
    metadata: {
      ...(i % 3 === 0 ? {} : { title: `tïtle ${'é'.repeat(i)}` }),
      ...(i % 4 === 0 ? {} : { year: 1990 + i + 0.25 }),
      ...(i % 7 === 0 ? {} : { draft: i % 2 === 0 }),
    },
    ...(i % 2 === 0 ? {} : { text: i === 1 ? '' : `text ${i} — ok` }),
  }));

  it('reads back as the records, nulls where a record lacks the value', () => {
    const table = buildRows(schema, records, leafColumns(records.map((r) => r.metadata)));
    expect(table.numRows).toBe(records.length);
    const rows = table.toArray().map((row) => row.toJSON() as Record<string, unknown>);
    rows.forEach((row, i) => {
      const r = records[i]!;
      expect(row.id).toBe(r.id);
      expect(Array.from(row.vector as Float32Array)).toEqual(Array.from(r.vector));
      expect(JSON.parse(row.metadata as string)).toEqual(r.metadata);
      expect(row.text).toBe(r.text ?? null);
      expect(row[title]).toBe((r.metadata.title as string | undefined) ?? null);
      expect(row[year]).toBe((r.metadata.year as number | undefined) ?? null);
      expect(row[draft]).toBe(r.metadata.draft === undefined ? null : Number(r.metadata.draft));
    });
    expect(table.getChild('text')!.nullCount).toBe(11);
    expect(table.getChild(title)!.nullCount).toBe(7);
  });

  it('builds columns without nulls and an empty batch', () => {
    const full = records.filter((_, i) => i % 3 !== 0 && i % 4 !== 0 && i % 7 !== 0);
    const table = buildRows(schema, full, leafColumns(full.map((r) => r.metadata)));
    expect(table.getChild(title)!.nullCount).toBe(0);
    expect(table.toArray().map((row) => row[title])).toEqual(full.map((r) => r.metadata.title));
    expect(buildRows(schema, [], new Map()).numRows).toBe(0);
  });
});

describe('buildRows over the vectors of one decoded request', () => {
  it('views vectors lying end to end in one buffer and copies any other layout, reading back the same', () => {
    const schema = new Schema(baseSchema(2).fields.filter((f) => f.name !== 'text'));
    const slab = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const adjacent: WriteRecord[] = [0, 1, 2].map((i) => ({ id: `a${i}`, vector: slab.subarray(i * 2, i * 2 + 2), metadata: {} }));
    const gapped: WriteRecord[] = [0, 2, 3].map((i) => ({ id: `g${i}`, vector: slab.subarray(i * 2, i * 2 + 2), metadata: {} }));
    const viewed = buildRows(schema, adjacent, new Map()).getChild('vector')!.data[0]!.children[0]!.values as Float32Array;
    expect(viewed.buffer).toBe(slab.buffer);
    const copied = buildRows(schema, gapped, new Map()).getChild('vector')!.data[0]!.children[0]!.values as Float32Array;
    expect(copied.buffer).not.toBe(slab.buffer);
    expect(Array.from(copied)).toEqual([1, 2, 5, 6, 7, 8]);
    expect(buildRows(schema, adjacent, new Map()).toArray().map((r) => Array.from(r.vector as Float32Array))).toEqual([[1, 2], [3, 4], [5, 6]]);
  });
});

describe('buildRowBatches over a coalesced group of requests', () => {
  it('gives each request its own record batch viewing its own buffer, reading back as the records in order', () => {
    const seq = typedColumnName(['seq'], 'number');
    const schema = new Schema([...baseSchema(2).fields, typedField(seq)]);
    const slabs = [Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8, 9, 10)];
    const parts = slabs.map((slab, p) => {
      const records: WriteRecord[] = Array.from({ length: slab.length / 2 }, (_, i) => ({ id: `p${p}-${i}`, vector: slab.subarray(i * 2, i * 2 + 2), metadata: { seq: p * 10 + i } }));
      return { records, leaves: leafColumns(records.map((r) => r.metadata)) };
    });
    const table = buildRowBatches(schema, parts);
    expect(table.batches).toHaveLength(2);
    table.batches.forEach((batch, p) => expect((batch.getChild('vector')!.data[0]!.children[0]!.values as Float32Array).buffer).toBe(slabs[p]!.buffer));
    expect(table.toArray().map((r) => [r.id, Array.from(r.vector as Float32Array), r[seq]])).toEqual([
      ['p0-0', [1, 2], 0],
      ['p0-1', [3, 4], 1],
      ['p1-0', [5, 6], 10],
      ['p1-1', [7, 8], 11],
      ['p1-2', [9, 10], 12],
    ]);
  });
});

describe('typedColumnName', () => {
  it('names a path the same when remembered as when first computed, and keeps kinds and dotted paths apart', () => {
    const first = typedColumnName(['a', 'b'], 'number');
    expect(first).toBe(`m_n_${Buffer.from('a.b').toString('hex')}`);
    expect(typedColumnName(['a', 'b'], 'number')).toBe(first);
    expect(typedColumnName(['a', 'b'], 'string')).toBe(`m_s_${Buffer.from('a.b').toString('hex')}`);
    for (let i = 0; i < 5000; i += 1) expect(typedColumnName([`k${i}`], 'boolean')).toBe(`m_b_${Buffer.from(`k${i}`).toString('hex')}`);
    expect(typedColumnName(['a', 'b'], 'number')).toBe(first);
  });
});
