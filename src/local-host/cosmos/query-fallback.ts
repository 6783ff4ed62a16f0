/**
 * A stand-in for the indexed query engine: scans the container's rows (or one partition's) and evaluates the
 * query with `@zeit/cosmosdb-query`, as the previous embedded server did. Same interface as the engine, so
 * `query-route.ts` is the one place that chooses.
 */
import cosmosQuery, { SyntaxError as QuerySyntaxError, type CompositeIndex } from '@zeit/cosmosdb-query';
import type { SqliteDatabase } from '../storage/sqlite';

export interface QueryScope {
  db: SqliteDatabase;
  container: string;
  /** The documents table's `pk` value when the query is scoped to one partition. */
  partitionKey?: string;
}

export interface QueryInput {
  query: string;
  parameters?: Array<{ name: string; value: unknown }>;
}

export interface QueryPage {
  documents: unknown[];
  continuation?: string;
}

export class QueryError extends Error {
  readonly status = 400 as const;
}

function compositeIndexesOf(db: SqliteDatabase, container: string): CompositeIndex[][] | undefined {
  const row = db.prepare<{ body: string }>('SELECT body FROM cosmos_containers WHERE container = ?').get(container);
  if (!row) return undefined;
  const policy = (JSON.parse(row.body) as { indexingPolicy?: { compositeIndexes?: CompositeIndex[][] } }).indexingPolicy;
  return policy?.compositeIndexes;
}

export function executeQuery(scope: QueryScope, input: QueryInput, page: { maxItemCount?: number; continuation?: string }): QueryPage {
  const rows =
    scope.partitionKey === undefined
      ? scope.db.prepare<{ body: string }>('SELECT body FROM documents WHERE container = ?').all(scope.container)
      : scope.db.prepare<{ body: string }>('SELECT body FROM documents WHERE container = ? AND pk = ?').all(scope.container, scope.partitionKey);
  const documents = rows.map((row) => JSON.parse(row.body) as Record<string, unknown>);
  let continuation: { token: string } | undefined;
  if (page.continuation) {
    try {
      continuation = JSON.parse(page.continuation) as { token: string };
    } catch {
      throw new QueryError('The continuation token is not valid.');
    }
  }
  try {
    const result = cosmosQuery(input.query).exec(documents, {
      parameters: (input.parameters ?? []) as Array<{ name: string; value: unknown }> as Array<{ name: string; value: never }>,
      ...(page.maxItemCount !== undefined && page.maxItemCount > 0 ? { maxItemCount: page.maxItemCount } : {}),
      ...(continuation ? { continuation } : {}),
      compositeIndexes: compositeIndexesOf(scope.db, scope.container),
    }) as { result: unknown[]; continuation?: { token: string } | null };
    return { documents: result.result, ...(result.continuation ? { continuation: JSON.stringify(result.continuation) } : {}) };
  } catch (error) {
    if (error instanceof QuerySyntaxError) throw new QueryError(error.message);
    const badRequest = (error as { badRequest?: boolean } | null)?.badRequest;
    if (badRequest) throw new QueryError((error as Error).message);
    throw error;
  }
}

/** A pass-through plan: one partition key range, so the SDK sends the query as it is and pages as told. */
export function queryPlan(_input: QueryInput, _partitionKeyPaths: string[]): unknown {
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
      hasSelectValue: false,
      hasNonStreamingOrderBy: false,
    },
    queryRanges: [{ min: '', max: 'FF', isMinInclusive: true, isMaxInclusive: false }],
  };
}
