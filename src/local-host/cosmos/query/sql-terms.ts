/**
 * How a document path reads in SQLite. Every path has two terms: its type rank (Cosmos DB's order of types:
 * undefined 0, null 1, false 2, true 3, numbers 4, strings 5, arrays 6, objects 7) and its value
 * (`json_extract`, which gives strings as TEXT, numbers as INTEGER/REAL, booleans as 1/0, null and missing
 * alike as NULL). Comparing ranks first is what makes the engine exact where SQLite's own typing differs:
 * a boolean is not the number 1, a missing property is not null, and values of different types never compare.
 *
 * Both terms are spelled the same way everywhere (the query and the expression indexes), since SQLite only
 * uses an expression index for an identical expression; paths are inlined as SQL literals for the same reason.
 */
export type PathSegment = string | number;

export const Rank = { undefined: 0, null: 1, false: 2, true: 3, number: 4, string: 5, array: 6, object: 7 } as const;

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The JSON path SQLite understands: `$.a."b c"[0]`. */
export function jsonPath(path: readonly PathSegment[]): string {
  let text = '$';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_NAME.test(segment)) text += `.${segment}`;
    else text += `."${segment.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  return text;
}

export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function valueTerm(path: readonly PathSegment[]): string {
  return `json_extract(body, ${sqlString(jsonPath(path))})`;
}

export function rankTerm(path: readonly PathSegment[]): string {
  return (
    `(CASE json_type(body, ${sqlString(jsonPath(path))}) WHEN 'null' THEN 1 WHEN 'false' THEN 2 WHEN 'true' THEN 3 ` +
    `WHEN 'integer' THEN 4 WHEN 'real' THEN 4 WHEN 'text' THEN 5 WHEN 'array' THEN 6 WHEN 'object' THEN 7 ELSE 0 END)`
  );
}

/** The rank of a JavaScript value from a query literal or parameter; undefined for values a query cannot hold. */
export function rankOf(value: unknown): number | undefined {
  if (value === undefined) return Rank.undefined;
  if (value === null) return Rank.null;
  if (value === false) return Rank.false;
  if (value === true) return Rank.true;
  if (typeof value === 'number') return Number.isFinite(value) ? Rank.number : undefined;
  if (typeof value === 'string') return Rank.string;
  if (Array.isArray(value)) return Rank.array;
  if (typeof value === 'object') return Rank.object;
  return undefined;
}
