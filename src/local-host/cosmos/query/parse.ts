import { parse as parseCosmosSql, SyntaxError as CosmosSyntaxError } from '@zeit/cosmosdb-query/lib/parser';
import { walk, type SqlProgram } from './ast';
import { QueryError } from './errors';

export interface QueryParameter {
  name: string;
  value: unknown;
}

export interface ParsedQuery {
  /** The query text without its trailing OFFSET … LIMIT …, which the parser does not know. */
  text: string;
  program: SqlProgram;
  /** Parameter values by name, `@` included. */
  parameters: ReadonlyMap<string, unknown>;
  offset?: number;
  limit?: number;
}

// The parser (the one @vercel/cosmosdb-server uses) predates OFFSET … LIMIT, so the clause is taken off the end
// here. A string literal cannot end the match, since the clause must be the very last thing in the text.
const OFFSET_LIMIT = /\s+OFFSET\s+(\d+|@\w+)\s+LIMIT\s+(\d+|@\w+)\s*$/i;

function countValue(raw: string, parameters: ReadonlyMap<string, unknown>, clause: string): number {
  const value = raw.startsWith('@') ? parameterValue(raw, parameters) : Number(raw);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new QueryError(`${clause} must be a non-negative whole number, not ${JSON.stringify(value)}`);
  }
  return value;
}

function parameterValue(name: string, parameters: ReadonlyMap<string, unknown>): unknown {
  if (!parameters.has(name)) throw new QueryError(`The query uses the parameter ${name}, which the request does not define`);
  return parameters.get(name);
}

// The parser backtracks: the listing's keyset query takes it about 50 ms, against well under 1 ms for SQLite
// to answer it. Query texts repeat (values travel as parameters), so each is parsed once; the tree is never
// changed after parsing.
const PARSED_TEXTS_KEPT = 256;
const parsedTexts = new Map<string, SqlProgram>();

function parseText(text: string): SqlProgram {
  const cached = parsedTexts.get(text);
  if (cached) return cached;
  let program: SqlProgram;
  try {
    program = parseCosmosSql(text) as SqlProgram;
  } catch (err) {
    if (err instanceof CosmosSyntaxError) throw new QueryError(`Syntax error in the query: ${err.message}`);
    throw err;
  }
  if (parsedTexts.size >= PARSED_TEXTS_KEPT) parsedTexts.delete(parsedTexts.keys().next().value as string);
  parsedTexts.set(text, program);
  return program;
}

/** Parses a query and checks its parameters; a syntax error or an undefined parameter is a QueryError. */
export function parseQuery(query: unknown, parameterList: unknown): ParsedQuery {
  if (typeof query !== 'string' || query.trim() === '') throw new QueryError('The request has no query text');
  if (parameterList !== undefined && !Array.isArray(parameterList)) throw new QueryError('The query parameters must be a list');
  const parameters = new Map<string, unknown>();
  for (const entry of (parameterList ?? []) as unknown[]) {
    const { name, value } = (entry ?? {}) as { name?: unknown; value?: unknown };
    if (typeof name !== 'string' || !name.startsWith('@')) {
      throw new QueryError(`A query parameter needs a name starting with @, not ${JSON.stringify(name)}`);
    }
    parameters.set(name, value);
  }

  let text = query.trim();
  let offset: number | undefined;
  let limit: number | undefined;
  const clause = OFFSET_LIMIT.exec(text);
  if (clause) {
    offset = countValue(clause[1] as string, parameters, 'OFFSET');
    limit = countValue(clause[2] as string, parameters, 'LIMIT');
    text = text.slice(0, clause.index);
  }

  const program = parseText(text);
  for (const node of walk(program)) {
    if (node.type === 'parameter_name') parameterValue(node.name as string, parameters);
  }
  if (program.body.top?.value.type === 'parameter_name') {
    countValue(program.body.top.value.name, parameters, 'TOP');
  }
  return { text, program, parameters, offset, limit };
}

/** The TOP count of a parsed query, parameters resolved. */
export function topCount(parsed: ParsedQuery): number | undefined {
  const top = parsed.program.body.top;
  if (!top) return undefined;
  return top.value.type === 'parameter_name' ? (parsed.parameters.get(top.value.name) as number) : top.value.value;
}
