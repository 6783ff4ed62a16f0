import { describe, it } from 'vitest';
import { expectSeedHolds } from './seeded-run';

describe('the saga under injected faults', () => {
  it('keeps money and stock right, seed 29', { timeout: 240_000 }, () => expectSeedHolds(29));
});
