import { describe, expect, it } from 'vitest';
import { republishPendingOrdersHandler } from '../../src/functions/republish-pending-orders';
import { captureLogs, invocationContext } from './support/http';

describe('republishPendingOrders timer', () => {
  it('republishes orders pending longer than the configured age', async () => {
    const ages: number[] = [];
    const logs = captureLogs();
    const handler = republishPendingOrdersHandler(async () => ({
      orders: {
        republishPendingOrders: async (olderThanSeconds: number) => {
          ages.push(olderThanSeconds);
          return 2;
        },
      },
      config: { pendingOrderRepublishAfterSeconds: 60 },
    }));
    await handler({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } }, invocationContext('republishPendingOrders', logs));
    expect(ages).toEqual([60]);
    expect(logs.text()).toContain('Republished OrderCreated for 2 pending order(s)');
  });
});
