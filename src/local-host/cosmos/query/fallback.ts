/**
 * Queries outside the translated subset (JOIN, functions other than the type checks and STARTSWITH,
 * arithmetic, GROUP BY, aggregates other than COUNT, comparisons between two paths …) are evaluated by
 * `@zeit/cosmosdb-query`, the evaluator `@vercel/cosmosdb-server` uses, over every document of the container
 * (or of the partition): correct, but a full scan. Each one is counted so the server can report them.
 */
import createQuery from '@zeit/cosmosdb-query';
import type { SqliteDatabase } from '../../storage/sqlite';
import { QueryError } from './errors';
import type { ParsedQuery } from './parse';

let fallbacks = 0;

// Compiling a query (parse, then JavaScript generation) costs more than running it over a small container.
const COMPILED_KEPT = 64;
const compiled = new Map<string, ReturnType<typeof createQuery>>();

function compile(text: string): ReturnType<typeof createQuery> {
  let query = compiled.get(text);
  if (!query) {
    query = createQuery(text);
    if (compiled.size >= COMPILED_KEPT) compiled.delete(compiled.keys().next().value as string);
    compiled.set(text, query);
  }
  return query;
}

/** How many queries this process has answered by a full scan since it started. */
export function fallbackCount(): number {
  return fallbacks;
}

export function evaluateByScan(db: SqliteDatabase, container: string, partitionKey: string | undefined, parsed: ParsedQuery): unknown[] {
  fallbacks++;
  const rows =
    partitionKey === undefined
      ? db.prepare<{ body: string }>('SELECT body FROM documents WHERE container = ? ORDER BY rowid').all(container)
      : db.prepare<{ body: string }>('SELECT body FROM documents WHERE container = ? AND pk = ? ORDER BY rowid').all(container, partitionKey);
  const documents = rows.map((row) => JSON.parse(row.body) as object);
  const parameters = [...parsed.parameters].map(([name, value]) => ({ name, value }));
  let results: unknown[];
  try {
    results = (compile(parsed.text).exec(documents, { parameters }) as { result: unknown[] }).result;
  } catch (err) {
    // The evaluator reports a query it cannot run (an unknown function, a bad argument) as a plain Error.
    throw new QueryError(`The query cannot be run: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (parsed.offset !== undefined) results = results.slice(parsed.offset, parsed.offset + (parsed.limit ?? Infinity));
  return results;
}
