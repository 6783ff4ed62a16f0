/**
 * The answer to a query-plan request. @azure/cosmos 4.9 asks for a plan alongside every item query (header
 * `x-ms-cosmos-is-query-plan-request`) but only uses it when the query itself comes back 400 asking for one,
 * or when the caller sets `forceQueryPlan`. A real gateway then hands back a rewritten query for the SDK to
 * merge ORDER BY streams and fold aggregates across physical partitions. This server is one physical
 * partition and runs ORDER BY, TOP, OFFSET … LIMIT and COUNT itself, so its plan tells the SDK to stream the
 * original query's pages as they come: no ordering, no aggregates, no window of its own (applying TOP or
 * OFFSET again on the client would skip rows twice). The plan is derived from the parse alone, never by
 * running the query (the old server ran every query twice, once for the plan).
 */
import { parseQuery } from './parse';
import type { QueryInput } from './execute';

export interface QueryPlan {
  partitionedQueryExecutionInfoVersion: number;
  queryInfo: {
    distinctType: 'None';
    top: null;
    offset: null;
    limit: null;
    orderBy: string[];
    orderByExpressions: string[];
    groupByExpressions: string[];
    groupByAliases: string[];
    aggregates: string[];
    groupByAliasToAggregateType: Record<string, string>;
    rewrittenQuery: string;
    hasSelectValue: boolean;
    hasNonStreamingOrderBy: boolean;
  };
  queryRanges: Array<{ min: string; max: string; isMinInclusive: boolean; isMaxInclusive: boolean }>;
}

/** The plan for a query; a syntax error or an undefined parameter is a QueryError, as for the query itself. */
export function queryPlan(input: QueryInput, partitionKeyPaths: string[]): QueryPlan {
  void partitionKeyPaths; // One physical partition covers every key, whatever the paths.
  const parsed = parseQuery(input.query, input.parameters);
  return {
    partitionedQueryExecutionInfoVersion: 2,
    queryInfo: {
      distinctType: 'None',
      top: null,
      offset: null,
      limit: null,
      orderBy: [],
      orderByExpressions: [],
      groupByExpressions: [],
      groupByAliases: [],
      aggregates: [],
      groupByAliasToAggregateType: {},
      rewrittenQuery: '',
      hasSelectValue: parsed.program.body.select.value !== undefined,
      hasNonStreamingOrderBy: false,
    },
    queryRanges: [{ min: '', max: 'FF', isMinInclusive: true, isMaxInclusive: false }],
  };
}
