import { createHash } from 'node:crypto';
import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { limits, VectorService } from '../../src/domain';
import { decodePageToken, encodePageToken, filterDigest } from '../../src/domain/vector/page-token';

/** ListVectors' rules in the domain (page sizes, tokens, filters) over the reference store. */
describe('ListVectors and CountVectors in the domain', () => {
  let svc: VectorService;

  beforeEach(async () => {
    svc = new VectorService(new MemoryVectorStore());
    await svc.createCollection({ name: 'docs', vectorDim: 2 });
    await svc.insert('docs', Array.from({ length: 5 }, (_, i) => ({ id: `d${i}`, vector: [1, i], metadata: { i, odd: i % 2 === 1 } })));
  });

  /** Code, field and message of a refusal. */
  async function refusal(call: Promise<unknown>): Promise<{ code: string; field?: string; message: string }> {
    const error = (await call.then(() => undefined, (e: unknown) => e)) as { code: string; violations: { field: string }[]; message: string } | undefined;
    if (error === undefined) throw new Error('expected a refusal');
    return { code: error.code, field: error.violations[0]?.field, message: error.message };
  }

  it('page_size 0 or absent is the default; 1..max are taken as they are; anything else names page_size', async () => {
    expect((await svc.listVectors('docs', { pageSize: 0 })).vectors).toHaveLength(5);
    expect((await svc.listVectors('docs', {})).vectors).toHaveLength(5);
    expect((await svc.listVectors('docs', { pageSize: limits.maxPageSize })).vectors).toHaveLength(5);
    for (const pageSize of [-1, limits.maxPageSize + 1, 1.5, Number.NaN]) {
      expect(await refusal(svc.listVectors('docs', { pageSize }))).toEqual({
        code: 'INVALID_ARGUMENT',
        field: 'page_size',
        message: `page_size: must be between 1 and ${limits.maxPageSize} (0 or absent: ${limits.defaultPageSize})`,
      });
    }
  });

  it('hands out a token only while records remain, and pages on from it', async () => {
    const first = await svc.listVectors('docs', { pageSize: 2, includeVector: true });
    expect(first.vectors).toEqual([
      { id: 'd0', vector: [1, 0], metadata: { i: 0, odd: false } },
      { id: 'd1', vector: [1, 1], metadata: { i: 1, odd: true } },
    ]);
    const second = await svc.listVectors('docs', { pageSize: 3, pageToken: first.nextPageToken });
    expect(second).toEqual({ vectors: ['d2', 'd3', 'd4'].map((id, k) => ({ id, metadata: { i: k + 2, odd: k % 2 === 1 } })), nextPageToken: '' });
    // Exactly a page left: the page that ends the listing says so, no empty page to ask for.
    const exact = await svc.listVectors('docs', { pageSize: 5 });
    expect(exact.nextPageToken).toBe('');
  });

  it('a filter lists and counts the matching records; the same filter in another key order continues a listing', async () => {
    const first = await svc.listVectors('docs', { pageSize: 1, filter: { odd: true, i: { $gte: 0 } } });
    const rest = await svc.listVectors('docs', { pageSize: 5, filter: { i: { $gte: 0 }, odd: true }, pageToken: first.nextPageToken });
    expect([...first.vectors, ...rest.vectors].map((v) => v.id)).toEqual(['d1', 'd3']);
    expect(await svc.countVectors('docs', { odd: true })).toBe(2);
    expect(await svc.countVectors('docs', {})).toBe(5);
    expect(await svc.countVectors('docs', undefined)).toBe(5);
    expect(await refusal(svc.countVectors('docs', { i: { $near: 1 } }))).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'filter.i.$near' });
    expect(await refusal(svc.listVectors('docs', { filter: { $or: 1 } }))).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'filter.$or' });
  });

  it('refuses a token that is cut, altered, made up, too long or from another filter, naming page_token', async () => {
    const token = (await svc.listVectors('docs', { pageSize: 2 })).nextPageToken;
    const altered = token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
    const cases = [token.slice(0, -3), altered, 'abc', 'not a token!', 'A'.repeat(limits.maxPageTokenLength + 1)];
    for (const pageToken of cases) {
      expect(await refusal(svc.listVectors('docs', { pageSize: 2, pageToken }))).toEqual({
        code: 'INVALID_ARGUMENT',
        field: 'page_token',
        message: 'page_token: not a page token of this service; send next_page_token back unchanged',
      });
    }
    expect(await refusal(svc.listVectors('docs', { pageSize: 2, pageToken: token, filter: { odd: true } }))).toEqual({
      code: 'INVALID_ARGUMENT',
      field: 'page_token',
      message: 'page_token: the token belongs to a listing with another filter; send the same filter with every page',
    });
  });

  it('refuses a token of another collection or of an earlier collection of the same name, and follows one through an alias', async () => {
    await svc.createCollection({ name: 'other', vectorDim: 2 });
    const token = (await svc.listVectors('docs', { pageSize: 2 })).nextPageToken;
    expect(await refusal(svc.listVectors('other', { pageToken: token }))).toEqual({
      code: 'INVALID_ARGUMENT',
      field: 'page_token',
      message: "page_token: the token belongs to a listing of collection 'docs', not of 'other'; list again without a token",
    });
    await svc.createAlias('live', 'docs');
    expect((await svc.listVectors('live', { pageToken: token })).vectors.map((v) => v.id)).toEqual(['d2', 'd3', 'd4']);
    // The alias moves on: the token no longer fits the collection the name reaches.
    await svc.alterAlias('live', 'other');
    expect(await refusal(svc.listVectors('live', { pageToken: token }))).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'page_token' });
    await svc.dropAlias('live');
    await svc.dropCollection('docs');
    await new Promise((resolve) => setTimeout(resolve, 2));
    await svc.createCollection({ name: 'docs', vectorDim: 2 });
    expect(await refusal(svc.listVectors('docs', { pageToken: token }))).toEqual({
      code: 'INVALID_ARGUMENT',
      field: 'page_token',
      message: "page_token: the token belongs to an earlier collection named 'docs' (dropped and created again since); list again without a token",
    });
  });

  it('a token carries its listing and a check of it, base64url', () => {
    const digest = filterDigest({ b: 1, a: { y: 2, x: [3, { d: 4, c: 5 }] } });
    expect(digest).toBe(filterDigest({ a: { x: [3, { c: 5, d: 4 }], y: 2 }, b: 1 }));
    expect(filterDigest(null)).toBe(filterDigest({}));
    expect(filterDigest(undefined)).toBe(createHash('sha256').update('null').digest('base64url').slice(0, 22));
    const state = { collection: 'docs', createdAt: 1700000000123, filter: digest, lastId: 'ｚ "quoted" \u0000 𝔸' };
    const token = encodePageToken(state);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token, digest)).toEqual(state);
    // Even a 512-byte id of control characters (JSON-escaped six times over) fits the length limit.
    const longest = encodePageToken({ ...state, collection: 'c'.repeat(255), lastId: '\u0001'.repeat(512) });
    expect(longest.length).toBeLessThanOrEqual(limits.maxPageTokenLength);
    expect(decodePageToken(longest, digest).lastId).toBe('\u0001'.repeat(512));
  });
});
