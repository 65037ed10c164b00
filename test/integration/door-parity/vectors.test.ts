import { VECTOR_OPS } from './calls';
import { grpcDoor, restDoor, type Door } from './doors';
import { startParityApp, type ParityApp } from './parity-app';
import { parityTable, reached } from './parity-runner';
import { listingCases } from './listing-cases';
import { vectorCases } from './vector-cases';
import { listedCollections, readBackVectors, resetVectors, seedVectors } from './vector-fixtures';

/** VectorService's behaviour through both doors of one app on LanceDB: one table (vector-cases.ts, listing-cases.ts). */
describe('door parity: VectorService', () => {
  let app: ParityApp;
  let doors: Door[];

  beforeAll(async () => {
    app = await startParityApp();
    await seedVectors(app.vectors);
    doors = [grpcDoor(() => app.grpc), restDoor(() => app.rest)];
  });
  afterAll(async () => {
    await app?.close();
  });

  parityTable([...vectorCases, ...listingCases], { doors: () => doors, readBack: readBackVectors, snapshot: listedCollections, reset: () => resetVectors(app.vectors) });

  it('reached every one of the 22 operations successfully through each door', () => {
    expect(VECTOR_OPS).toHaveLength(22);
    for (const door of ['grpc', 'rest'] as const) expect({ door, missing: VECTOR_OPS.filter((op) => !reached[door].has(op)) }).toEqual({ door, missing: [] });
  });
});
