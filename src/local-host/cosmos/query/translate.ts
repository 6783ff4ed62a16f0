/**
 * Translates the safe subset of Cosmos DB SQL into one SQLite statement over `documents`: filters, ORDER BY,
 * TOP/OFFSET/LIMIT and COUNT run in SQLite (through expression indexes), projections run on the rows returned.
 * `translate` returns undefined for anything outside the subset; the caller then evaluates the query itself.
 *
 * Filters are brought to negation normal form first (NOT pushed down to the comparisons, De Morgan over
 * AND/OR). Cosmos DB's logic has a third value, undefined (comparing different types, a missing property),
 * and a row passes WHERE only when the condition is true. Without NOT above them, AND and OR are monotone,
 * so each comparison can be "true, or not" (undefined folded into false) and the result is still exact;
 * NOT is handled by complementing the operator under the same type check: NOT (a < 1) is (a is a number
 * AND a >= 1), which is undefined-safe where SQLite's NOT would turn a missing value into a match.
 */
import type { BinaryExpression, Expression, SelectQuery, SortExpression } from './ast';
import type { ParsedQuery } from './parse';
import { jsonPath, Rank, rankOf, rankTerm, valueTerm, type PathSegment } from './sql-terms';
import type { SqlValue } from '../../storage/sqlite';

export type Projection =
  | { kind: 'document' }
  | { kind: 'value'; expression: Expression }
  | { kind: 'properties'; properties: Array<{ name: string; expression: Expression }> }
  | { kind: 'count' };

export interface IndexColumn {
  path: PathSegment[];
  descending: boolean;
}

export interface TranslatedQuery {
  /** The document's alias in the query (`c` in `FROM c`). */
  alias: string;
  /** A boolean SQL expression over `body`, or '1'. */
  where: string;
  whereParams: SqlValue[];
  orderBy: IndexColumn[];
  projection: Projection;
  /** The expression index that serves this query: equality paths, then the ORDER BY (or a range) paths. */
  indexColumns: IndexColumn[];
  /**
   * Paths whose type rank the filter fixes for every matching row (a comparison with a string or number on
   * every branch). Their rank is left out of ORDER BY: SQLite does not see that an ORDER BY expression pinned
   * by `=` is constant, and would sort instead of walking the index.
   */
  pinnedRanks: PathSegment[][];
}

const COMPARISONS = new Set(['=', '!=', '<>', '<', '<=', '>', '>=']);
const COMPLEMENT: Record<string, string> = { '=': '!=', '!=': '=', '<>': '=', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };
const MIRROR: Record<string, string> = { '=': '=', '!=': '!=', '<>': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const TYPE_CHECKS: Record<string, (rank: string) => string> = {
  IS_DEFINED: (rank) => `${rank} > 0`,
  IS_NULL: (rank) => `${rank} = 1`,
  IS_BOOL: (rank) => `${rank} IN (2, 3)`,
  IS_NUMBER: (rank) => `${rank} = 4`,
  IS_STRING: (rank) => `${rank} = 5`,
  IS_ARRAY: (rank) => `${rank} = 6`,
  IS_OBJECT: (rank) => `${rank} = 7`,
  IS_PRIMITIVE: (rank) => `${rank} BETWEEN 1 AND 5`,
};

class Unsupported extends Error {}

function unsupported(): never {
  throw new Unsupported();
}

/** The path of `c.a.b[0]` as segments, [] for the alias itself; undefined when the expression is no such path. */
export function pathOf(expression: Expression, alias: string): PathSegment[] | undefined {
  if (expression.type === 'identifier') return expression.name === alias ? [] : undefined;
  if (expression.type !== 'scalar_member_expression') return undefined;
  const base = pathOf(expression.object, alias);
  if (!base) return undefined;
  const property = expression.property;
  if (!expression.computed && property.type === 'identifier') return [...base, property.name];
  if (expression.computed && property.type === 'string_constant') return [...base, property.value];
  if (expression.computed && property.type === 'number_constant' && Number.isSafeInteger(property.value) && property.value >= 0) {
    return [...base, property.value];
  }
  return undefined;
}

interface Filter {
  params: SqlValue[];
  /** Paths compared for equality with a string or number at the top level (index candidates). */
  equalities: PathSegment[][];
  ranges: PathSegment[][];
}

/** A bound on a path's value that every row a condition accepts respects (`c.createdAt <= @after`). */
interface Bound {
  path: PathSegment[];
  rank: number;
  value: string | number;
  inclusive: boolean;
  /** Found in every branch of an OR, so not yet written as a condition of its own. */
  derived: boolean;
}

/** A translated condition, what type rank every row it accepts has on which paths, and the bounds it implies. */
interface Condition {
  sql: string;
  pinned: Map<string, PathSegment[]>;
  upper: Map<string, Bound>;
  lower: Map<string, Bound>;
}

const plain = (sql: string): Condition => ({ sql, pinned: new Map(), upper: new Map(), lower: new Map() });

class FilterBuilder {
  constructor(
    private readonly alias: string,
    private readonly parameters: ReadonlyMap<string, unknown>,
  ) {}

  /** A constant operand's value (literal or parameter); undefined for anything else. */
  constantOf(expression: Expression): { value: unknown } | undefined {
    switch (expression.type) {
      case 'string_constant':
      case 'number_constant':
      case 'boolean_constant':
        return { value: expression.value };
      case 'null_constant':
        return { value: null };
      case 'undefined_constant':
        return { value: undefined };
      case 'parameter_name':
        return { value: this.parameters.get(expression.name) };
      default:
        return undefined;
    }
  }

  build(condition: Expression, negated: boolean, topLevel: boolean, out: Filter): Condition {
    switch (condition.type) {
      case 'boolean_constant':
        return plain(condition.value !== negated ? '1' : '0');
      case 'scalar_unary_expression':
        if (condition.operator.toUpperCase() !== 'NOT') unsupported();
        return this.build(condition.argument, !negated, false, out);
      case 'scalar_binary_expression':
        return this.binary(condition, negated, topLevel, out);
      case 'scalar_in_expression': {
        const operands = condition.list.map((item) => this.comparison(condition.value, negated ? '!=' : '=', item, false, out));
        if (operands.length === 0) return plain(negated ? '1' : '0');
        return operands.reduce((left, right) => join(left, negated ? 'AND' : 'OR', right));
      }
      case 'scalar_function_expression':
        return plain(this.functionCall(condition, negated, out));
      default: {
        // A bare path as a condition: true only when it holds the boolean true (NOT path: false).
        const path = pathOf(condition, this.alias);
        if (!path || path.length === 0) unsupported();
        return plain(`${rankTerm(path)} = ${negated ? Rank.false : Rank.true}`);
      }
    }
  }

  private binary(condition: BinaryExpression, negated: boolean, topLevel: boolean, out: Filter): Condition {
    const operator = condition.operator.toUpperCase();
    if (operator === 'AND' || operator === 'OR') {
      const joined = (operator === 'AND') !== negated ? 'AND' : 'OR';
      const stillTop = topLevel && joined === 'AND';
      return join(this.build(condition.left, negated, stillTop, out), joined, this.build(condition.right, negated, stillTop, out));
    }
    if (!COMPARISONS.has(operator)) unsupported();
    return this.comparison(condition.left, negated ? (COMPLEMENT[operator] as string) : operator, condition.right, topLevel, out);
  }

  private comparison(leftSide: Expression, operator: string, rightSide: Expression, topLevel: boolean, out: Filter): Condition {
    let path = pathOf(leftSide, this.alias);
    let constant = this.constantOf(rightSide);
    let op = operator === '<>' ? '!=' : operator;
    if (!path || !constant) {
      path = pathOf(rightSide, this.alias);
      constant = this.constantOf(leftSide);
      op = MIRROR[operator] as string;
    }
    if (!path || path.length === 0 || !constant) unsupported();
    const rank = rankOf(constant.value);
    if (rank === undefined || rank >= Rank.array) unsupported();
    // Comparing with undefined is undefined: never true, whichever the operator.
    if (rank === Rank.undefined) return plain('0');
    const rankSql = rankTerm(path);
    if (rank === Rank.null) return plain(op === '=' || op === '<=' || op === '>=' ? `${rankSql} = 1` : '0');
    if (rank === Rank.false || rank === Rank.true) return plain(`(${rankSql} IN (2, 3) AND ${rankSql} ${op} ${rank})`);
    if (topLevel && op === '=') out.equalities.push(path);
    else if (topLevel && op !== '!=') out.ranges.push(path);
    const value = constant.value as string | number;
    out.params.push(value);
    const key = jsonPath(path);
    const bound = (inclusive: boolean): Map<string, Bound> => new Map([[key, { path, rank, value, inclusive, derived: false }]]);
    return {
      sql: `(${rankSql} = ${rank} AND ${valueTerm(path)} ${op} ?)`,
      pinned: new Map([[key, path]]),
      upper: op === '<' || op === '<=' || op === '=' ? bound(op !== '<') : new Map(),
      lower: op === '>' || op === '>=' || op === '=' ? bound(op !== '>') : new Map(),
    };
  }

  private functionCall(condition: Expression & { type: 'scalar_function_expression' }, negated: boolean, out: Filter): string {
    if (condition.udf) unsupported();
    const name = condition.name.name.toUpperCase();
    const [first, second, ...rest] = condition.arguments;
    const path = first ? pathOf(first, this.alias) : undefined;
    if (!path || path.length === 0) unsupported();
    const check = TYPE_CHECKS[name];
    if (check && condition.arguments.length === 1) {
      const sql = check(rankTerm(path));
      return negated ? `NOT (${sql})` : sql;
    }
    if (name === 'STARTSWITH' && second && rest.length === 0) {
      const prefix = this.constantOf(second);
      if (!prefix || typeof prefix.value !== 'string') unsupported();
      out.params.push(prefix.value, prefix.value);
      // Cosmos DB's STARTSWITH is case-sensitive by default; SQLite's substr is too.
      const matches = `substr(${valueTerm(path)}, 1, length(?)) ${negated ? '!=' : '='} ?`;
      return `(${rankTerm(path)} = ${Rank.string} AND ${matches})`;
    }
    return unsupported();
  }
}

/**
 * AND pins (and bounds) every path either side does; OR only those both sides do, with the same value.
 * (An OR may pin one path to numbers on one side and strings on the other; leaving its rank out of ORDER BY
 * is still exact, since SQLite orders every number before every string, as Cosmos DB does.)
 * A bound found on both sides of an OR, as in the listing's keyset `(c.createdAt < @a OR (c.createdAt = @a AND
 * c.id < @b))`, is what lets SQLite start the index walk at the cursor instead of at the newest order.
 */
function join(left: Condition, operator: 'AND' | 'OR', right: Condition): Condition {
  const sql = `(${left.sql} ${operator} ${right.sql})`;
  if (operator === 'AND') {
    return {
      sql,
      pinned: new Map([...left.pinned, ...right.pinned]),
      upper: new Map([...right.upper, ...left.upper]),
      lower: new Map([...right.lower, ...left.lower]),
    };
  }
  const common = (a: Map<string, Bound>, b: Map<string, Bound>) => {
    const both = new Map<string, Bound>();
    for (const [key, bound] of a) {
      const other = b.get(key);
      if (other && other.rank === bound.rank && other.value === bound.value) {
        both.set(key, { ...bound, inclusive: bound.inclusive || other.inclusive, derived: true });
      }
    }
    return both;
  };
  return {
    sql,
    pinned: new Map([...left.pinned].filter(([key]) => right.pinned.has(key))),
    upper: common(left.upper, right.upper),
    lower: common(left.lower, right.lower),
  };
}

/** The derived bounds, written out as conditions of their own (implied by the filter, so the result is the same). */
function derivedBounds(condition: Condition, out: Filter): string[] {
  const terms: string[] = [];
  for (const [bounds, below] of [[condition.upper, true], [condition.lower, false]] as const) {
    for (const { path, rank, value, inclusive, derived } of bounds.values()) {
      if (!derived) continue;
      const op = below ? (inclusive ? '<=' : '<') : inclusive ? '>=' : '>';
      out.params.push(value);
      terms.push(`(${rankTerm(path)} = ${rank} AND ${valueTerm(path)} ${op} ?)`);
    }
  }
  return terms;
}

function aliasOf(query: SelectQuery): string | undefined {
  const from = query.from;
  if (!from) return undefined;
  if (from.joins.length > 0 || from.source.type !== 'from_source') return undefined;
  const collection = from.source.expression as { type: string; expression?: Expression };
  if (collection.type !== 'collection_expression' || collection.expression?.type !== 'identifier') return undefined;
  return from.source.alias?.name ?? collection.expression.name;
}

function projectionOf(query: SelectQuery, alias: string): Projection {
  const select = query.select;
  if (select['*']) return { kind: 'document' };
  if (select.value) {
    const value = select.value;
    if (value.type === 'scalar_function_expression' && value.name.name.toUpperCase() === 'COUNT' && !value.udf) {
      const [argument] = value.arguments;
      const constant = argument && ['number_constant', 'string_constant', 'boolean_constant'].includes(argument.type);
      if (!constant || value.arguments.length !== 1 || query.orderBy) unsupported();
      return { kind: 'count' };
    }
    checkProjectable(value, alias);
    return { kind: 'value', expression: value };
  }
  const properties = (select.properties?.properties ?? []).map(({ property, alias: name }, position) => {
    checkProjectable(property, alias);
    const path = pathOf(property, alias);
    const last = path?.[path.length - 1];
    return { name: name?.name ?? (typeof last === 'string' ? last : `$${position + 1}`), expression: property };
  });
  if (properties.length === 0) unsupported();
  return { kind: 'properties', properties };
}

/** Projections are evaluated in JavaScript over the rows SQLite returns: paths, constants, arrays and objects. */
function checkProjectable(expression: Expression, alias: string): void {
  switch (expression.type) {
    case 'string_constant':
    case 'number_constant':
    case 'boolean_constant':
    case 'null_constant':
    case 'parameter_name':
      return;
    case 'scalar_array_expression':
      expression.elements.forEach((element) => checkProjectable(element, alias));
      return;
    case 'scalar_object_expression':
      expression.properties.forEach(({ value }) => checkProjectable(value, alias));
      return;
    default:
      if (!pathOf(expression, alias)) unsupported();
  }
}

function orderByOf(expressions: SortExpression[], alias: string): IndexColumn[] {
  return expressions.map(({ expression, order }) => {
    const path = pathOf(expression, alias);
    if (!path || path.length === 0) unsupported();
    return { path, descending: order === 'DESC' };
  });
}

const samePath = (a: readonly PathSegment[], b: readonly PathSegment[]) => a.length === b.length && a.every((segment, i) => segment === b[i]);

export function translate(parsed: ParsedQuery): TranslatedQuery | undefined {
  const query = parsed.program.body;
  try {
    const alias = aliasOf(query);
    if (!alias) return undefined;
    const projection = projectionOf(query, alias);
    const filter: Filter = { params: [], equalities: [], ranges: [] };
    const builder = new FilterBuilder(alias, parsed.parameters);
    const built = query.where ? builder.build(query.where.condition, false, true, filter) : plain('1');
    const where = [built.sql, ...derivedBounds(built, filter)].join(' AND ');
    const orderBy = query.orderBy ? orderByOf(query.orderBy.expressions, alias) : [];

    const indexColumns: IndexColumn[] = [];
    for (const path of filter.equalities) {
      if (!indexColumns.some((column) => samePath(column.path, path))) indexColumns.push({ path, descending: false });
    }
    // One direction throughout is stored ascending (SQLite walks an index backwards as well, and the rowid
    // tie-break then follows the walk); mixed directions are stored as asked.
    const mixed = new Set(orderBy.map((column) => column.descending)).size > 1;
    const tail =
      orderBy.length > 0
        ? orderBy.map(({ path, descending }) => ({ path, descending: mixed && descending }))
        : filter.ranges.slice(0, 1).map((path) => ({ path, descending: false }));
    for (const column of tail) {
      if (!indexColumns.some((existing) => samePath(existing.path, column.path))) indexColumns.push(column);
    }
    return { alias, where, whereParams: filter.params, orderBy, projection, indexColumns, pinnedRanks: [...built.pinned.values()] };
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
