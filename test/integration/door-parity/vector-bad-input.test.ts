import { grpcDoor, restDoor, type Door } from './doors';
import { startParityApp, type ParityApp } from './parity-app';
import { parityTable } from './parity-runner';
import { listingBadInputCases } from './listing-cases';
import { vectorBadInputCases } from './vector-bad-input-cases';
import { listedCollections, readBackVectors, resetVectors, seedVectors } from './vector-fixtures';

/** Bad input to VectorService through both doors of one app: one table (vector-bad-input-cases.ts, listing-cases.ts). */
describe('door parity: bad input to VectorService', () => {
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

  parityTable([...vectorBadInputCases, ...listingBadInputCases], { doors: () => doors, readBack: readBackVectors, snapshot: listedCollections, reset: () => resetVectors(app.vectors) });
});
