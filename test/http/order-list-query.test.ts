import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGE_SIZE, parseOrderListQuery, toOrderListQuery } from '../../src/http/order-list-query';

const parse = (query: string) => parseOrderListQuery(new URLSearchParams(query));

describe('the order list query', () => {
  it('defaults the page size and drops empty parameters', () => {
    const result = parse('customerId=&status=');
    expect(result.success && toOrderListQuery(result.data)).toEqual({ limit: DEFAULT_PAGE_SIZE });
  });

  it('reads every parameter', () => {
    const result = parse('customerId=c-1&status=Completed&limit=5&continuationToken=abc');
    expect(result.success && toOrderListQuery(result.data)).toEqual({ customerId: 'c-1', status: 'Completed', limit: 5, continuationToken: 'abc' });
  });

  it.each([['limit=0'], ['limit=101'], ['limit=-1'], ['limit=1e1'], ['limit=ten'], ['status=pending'], ['status=Nope']])('rejects %s', (query) => {
    expect(parse(query).success).toBe(false);
  });
});
