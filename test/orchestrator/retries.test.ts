import { TaskFailedError } from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { describeActivityFailure } from '../../src/orchestration/retries';

describe('describeActivityFailure', () => {
  it('keeps the reason and drops the stack the host appends', () => {
    const error = new Error("Activity function 'ProcessPayment' failed: Cosmos DB unavailable \n Error: Cosmos DB unavailable\n    at charge (payment.js:1:1)");
    expect(describeActivityFailure(error)).toBe("Activity function 'ProcessPayment' failed: Cosmos DB unavailable");
  });

  it('uses the message of structured failure details', () => {
    const error = new TaskFailedError({
      errorType: 'TransientFault',
      errorMessage: 'throttled (429)',
      stackTrace: 'at somewhere',
      isNonRetriable: false,
      isCausedBy: () => false,
    });
    expect(describeActivityFailure(error)).toBe('throttled (429)');
  });

  it('caps very long messages', () => {
    expect(describeActivityFailure(new Error('x'.repeat(2_000))).length).toBeLessThanOrEqual(500);
  });
});
