import { toDomainError } from '../../src/adapters/vector/lance/lance-errors';

/** Engine errors → DomainErrors (lance-errors.ts): which "not found" means a missing collection. */
describe('Lance error mapping of missing things', () => {
  const missingFile = new Error(
    'Failed to get next batch from stream: lance error: LanceError(IO): Object at location /data/lance/c_ab12.lance/data/f0.lance not found: No such file or directory (os error 2)',
  );

  it('a missing table is a missing collection', () => {
    expect(toDomainError(new Error("Table 'c_ab12' was not found"), { collection: 'books' })).toMatchObject({ code: 'NOT_FOUND', message: "collection 'books' not found" });
  });

  it('a file gone from a collection dropped meanwhile is a missing collection', () => {
    expect(toDomainError(missingFile, { collection: 'books', open: () => false })).toMatchObject({ code: 'NOT_FOUND' });
    expect(toDomainError(missingFile, { collection: 'books' })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a file gone from a collection still open is UNAVAILABLE (retry), not NOT_FOUND', () => {
    expect(toDomainError(missingFile, { collection: 'books', open: () => true })).toMatchObject({
      code: 'UNAVAILABLE',
      message: "collection 'books' changed while it was read; retry",
    });
  });
});
