import { describe, it } from 'vitest';
import { expectSeedHolds } from './seeded-run';

describe('kill -9 under load', () => {
  // The host is killed three times while orders are placed and restarted on its data folder: every accepted
  // order is still there and ends right, sagas in flight resume, and an Idempotency-Key replay gets the first order.
  it('seed 41 with three crashes keeps money and stock right', { timeout: 300_000 }, async () => {
    await expectSeedHolds(41, { crashes: 3 });
  });
});
