/**
 * The shapes of the Cosmos DB SQL syntax tree that `@zeit/cosmosdb-query`'s parser produces, as far as this
 * engine reads them. Nodes of any other type are kept opaque (`OtherNode`) and send the query to the fallback.
 */
export interface Identifier {
  type: 'identifier';
  name: string;
}
export interface StringConstant {
  type: 'string_constant';
  value: string;
}
export interface NumberConstant {
  type: 'number_constant';
  value: number;
}
export interface BooleanConstant {
  type: 'boolean_constant';
  value: boolean;
}
export interface NullConstant {
  type: 'null_constant';
}
export interface UndefinedConstant {
  type: 'undefined_constant';
}
export interface ParameterName {
  type: 'parameter_name';
  name: string;
}
export interface MemberExpression {
  type: 'scalar_member_expression';
  object: Expression;
  property: Expression;
  computed: boolean;
}
export interface BinaryExpression {
  type: 'scalar_binary_expression';
  left: Expression;
  operator: string;
  right: Expression;
}
export interface UnaryExpression {
  type: 'scalar_unary_expression';
  operator: string;
  argument: Expression;
}
export interface InExpression {
  type: 'scalar_in_expression';
  value: Expression;
  list: Expression[];
}
export interface FunctionExpression {
  type: 'scalar_function_expression';
  name: Identifier;
  arguments: Expression[];
  udf?: boolean;
}
export interface ArrayExpression {
  type: 'scalar_array_expression';
  elements: Expression[];
}
export interface ObjectExpression {
  type: 'scalar_object_expression';
  properties: Array<{ key: Identifier | StringConstant; value: Expression }>;
}
export interface OtherNode {
  type: `other:${string}`;
}

export type Expression =
  | Identifier
  | StringConstant
  | NumberConstant
  | BooleanConstant
  | NullConstant
  | UndefinedConstant
  | ParameterName
  | MemberExpression
  | BinaryExpression
  | UnaryExpression
  | InExpression
  | FunctionExpression
  | ArrayExpression
  | ObjectExpression
  | OtherNode;

export interface SelectSpecification {
  type: 'select_specification';
  '*'?: boolean;
  value?: Expression;
  properties?: { type: 'object_property_list'; properties: Array<{ property: Expression; alias: Identifier | null }> };
}

export interface SortExpression {
  type: 'sort_expression';
  expression: Expression;
  order: 'ASC' | 'DESC' | null;
}

export interface SelectQuery {
  type: 'select_query';
  top: { type: 'top_specification'; value: NumberConstant | ParameterName } | null;
  select: SelectSpecification;
  from: {
    type: 'from_specification';
    source: { type: string; expression: Expression; alias: Identifier | null };
    joins: unknown[];
  } | null;
  where: { type: 'filter_condition'; condition: Expression } | null;
  orderBy: { type: 'sort_specification'; expressions: SortExpression[] } | null;
}

export interface SqlProgram {
  type: 'sql';
  body: SelectQuery;
}

/** Every node a tree holds, depth first (objects with a string `type`). */
export function* walk(node: unknown): Generator<{ type: string } & Record<string, unknown>> {
  if (Array.isArray(node)) {
    for (const child of node) yield* walk(child);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record.type === 'string') yield record as { type: string } & Record<string, unknown>;
  for (const value of Object.values(record)) yield* walk(value);
}
