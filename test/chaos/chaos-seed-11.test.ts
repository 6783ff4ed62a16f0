import { describe, it } from 'vitest';
import { expectSeedHolds } from './seeded-run';

describe('the saga under injected faults', () => {
  it('keeps money and stock right, seed 11', { timeout: 240_000 }, () => expectSeedHolds(11));
});
