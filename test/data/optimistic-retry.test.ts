import { describe, expect, it } from 'vitest';
import { TransientFault } from '../../src/domain';
import { LostRace, retryOnLostRace } from '../../src/data/optimistic-retry';

describe('retryOnLostRace with a time budget', () => {
  it('keeps trying past any attempt count while the budget lasts', async () => {
    let attempts = 0;
    const result = await retryOnLostRace(
      'contended write',
      async () => {
        attempts += 1;
        if (attempts < 40) throw new LostRace('lost');
        return 'written';
      },
      { maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: 0, maxDelayMs: 0, budgetMs: 5_000 },
    );
    expect(result).toBe('written');
    expect(attempts).toBe(40);
  });

  it('gives up as a transient fault once the budget is spent', async () => {
    const started = Date.now();
    const losing = retryOnLostRace(
      'contended write',
      async () => {
        throw new LostRace('lost');
      },
      { maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: 5, maxDelayMs: 10, budgetMs: 100 },
    );
    await expect(losing).rejects.toBeInstanceOf(TransientFault);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
