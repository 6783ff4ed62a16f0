import { describe, expect, it } from 'vitest';
import { createReservationLines, type ReservationRequest } from '../../src/data/reservation-lines';
import type { ReleaseOutcome, ReserveOutcome } from '../../src/services/ports';

/** A writer that records what reached it, one write at a time per call, and gives each reservation a unit from `stock`. */
function recordingWriter(stock: number) {
  const writes: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const writer = {
    async reserveTogether(productId: string, requests: readonly ReservationRequest[]): Promise<ReserveOutcome[]> {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      writes.push(`${productId}: reserve ${requests.map((request) => request.orderId).join(',')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return requests.map((request) => {
        if (request.quantity > stock) return 'insufficient';
        stock -= request.quantity;
        return 'reserved';
      });
    },
    release(productId: string, orderId: string) {
      return async (): Promise<ReleaseOutcome> => {
        writes.push(`${productId}: release ${orderId}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
        return 'released';
      };
    },
  };
  return { writer, writes, maxRunning: () => maxRunning };
}

describe('reservation lines', () => {
  it('writes every reservation waiting for a product in one go, in arrival order', async () => {
    const { writer, writes } = recordingWriter(3);
    const lines = createReservationLines(writer.reserveTogether);
    const outcomes = await Promise.all(['o1', 'o2', 'o3', 'o4', 'o5'].map((orderId) => lines.reserve('p', orderId, 1)));
    expect(outcomes).toEqual(['reserved', 'reserved', 'reserved', 'insufficient', 'insufficient']);
    expect(writes).toEqual(['p: reserve o1,o2,o3,o4,o5']);
    expect(lines.busyProducts).toBe(0);
  });

  it('writes one product at a time and products side by side', async () => {
    const { writer, writes, maxRunning } = recordingWriter(100);
    const lines = createReservationLines(writer.reserveTogether);
    await Promise.all([lines.reserve('a', 'o1', 1), lines.reserve('b', 'o2', 1)]);
    expect(writes.sort()).toEqual(['a: reserve o1', 'b: reserve o2']);
    expect(maxRunning()).toBe(2);

    const first = lines.reserve('a', 'o3', 1);
    await Promise.resolve();
    await Promise.resolve();
    const second = lines.reserve('a', 'o4', 1);
    await Promise.all([first, second]);
    expect(writes.slice(2)).toEqual(['a: reserve o3', 'a: reserve o4']);
  });

  it('keeps a release in its place in the line and a second request of one order for the next write', async () => {
    const { writer, writes } = recordingWriter(100);
    const lines = createReservationLines(writer.reserveTogether);
    await Promise.all([
      lines.reserve('p', 'o1', 1),
      lines.reserve('p', 'o2', 1),
      lines.reserve('p', 'o1', 1),
      lines.release('p', writer.release('p', 'o2')),
      lines.reserve('p', 'o3', 1),
    ]);
    expect(writes).toEqual(['p: reserve o1,o2', 'p: reserve o1', 'p: release o2', 'p: reserve o3']);
  });

  it('splits a crowd larger than one batch allows', async () => {
    const { writer, writes } = recordingWriter(1000);
    const lines = createReservationLines(writer.reserveTogether, 4);
    await Promise.all(Array.from({ length: 10 }, (_, index) => lines.reserve('p', `o${index}`, 1)));
    expect(writes).toEqual(['p: reserve o0,o1,o2,o3', 'p: reserve o4,o5,o6,o7', 'p: reserve o8,o9']);
  });

  it('fails every reservation of a write that throws, and goes on with the line', async () => {
    let calls = 0;
    const lines = createReservationLines(async (_productId, requests) => {
      calls += 1;
      if (calls === 1) throw new Error('database unavailable');
      return requests.map(() => 'reserved' as const);
    });
    const first = Promise.allSettled([lines.reserve('p', 'o1', 1), lines.reserve('p', 'o2', 1)]);
    expect((await first).map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await lines.reserve('p', 'o3', 1)).toBe('reserved');
  });
});
