import { connect } from '@lancedb/lancedb';
import { Schema } from 'apache-arrow';
import { appendRows } from '../../src/adapters/vector/lance/lance-append';
import { baseSchema, buildRowBatches, buildRows } from '../../src/adapters/vector/lance/lance-arrow-rows';
import type { WriteRecord } from '../../src/domain';
import { tempDir } from '../support/temp-dirs';

/**
 * appendRows hands the IPC file to the native table behind LanceDB's `Table` (its private
 * `inner`). These cases run on a real LanceDB directory: the field must exist in the LanceDB
 * version installed (an upgrade that removes it fails here rather than silently taking the slower
 * public path), and what it appends must read back as the rows, batch by batch.
 */
describe('appendRows on a real LanceDB table', () => {
  const schema = new Schema(baseSchema(3).fields);
  const records = (from: number, count: number): WriteRecord[] =>
    Array.from({ length: count }, (_, i) => ({ id: `r${from + i}`, vector: Float32Array.of(from + i, 1, -1), metadata: { n: from + i }, ...(i % 2 === 0 ? { text: `t${from + i}` } : {}) }));

  it('reaches the native add, and appends single- and multi-batch tables that read back whole and in order', async () => {
    const db = await connect(await tempDir('lance-append'));
    const table = await db.createEmptyTable('t', schema);
    try {
      const inner = (table as unknown as { inner?: { add?: unknown } }).inner;
      expect(typeof inner?.add).toBe('function');
      const one = records(0, 3);
      await appendRows(table, buildRows(schema, one, new Map()));
      const parts = [records(3, 2), records(5, 4)].map((r) => ({ records: r, leaves: new Map() }));
      await appendRows(table, buildRowBatches(schema, parts));
      const rows = await table.query().toArray();
      expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 9 }, (_, i) => `r${i}`));
      // records() gives a text to every other row of each call: rows 0, 2 | 3 | 5, 7.
      const texted = new Set([0, 2, 3, 5, 7]);
      rows.forEach((row, i) => {
        expect(Array.from(row.vector as Float32Array)).toEqual([i, 1, -1]);
        expect(JSON.parse(row.metadata as string)).toEqual({ n: i });
        expect(row.text).toBe(texted.has(i) ? `t${i}` : null);
      });
      expect(await table.countRows()).toBe(9);
    } finally {
      table.close();
      db.close();
    }
  });

  it('appends to several tables at once, each from a buffer of its own (buffers are reused between appends)', async () => {
    const db = await connect(await tempDir('lance-append-many'));
    const tables = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => db.createEmptyTable(name, schema)));
    try {
      for (let round = 0; round < 3; round += 1) {
        await Promise.all(tables.map((table, t) => appendRows(table, buildRows(schema, records(1000 * t + 10 * round, 10), new Map()))));
      }
      for (const [t, table] of tables.entries()) {
        const rows = await table.query().toArray();
        const expected = [0, 1, 2].flatMap((round) => Array.from({ length: 10 }, (_, i) => 1000 * t + 10 * round + i));
        expect(rows.map((r) => r.id)).toEqual(expected.map((n) => `r${n}`));
        rows.forEach((row, i) => expect(Array.from(row.vector as Float32Array)).toEqual([expected[i], 1, -1]));
      }
    } finally {
      tables.forEach((table) => table.close());
      db.close();
    }
  });
});
