/** Projections (SELECT VALUE …, SELECT a, b AS x …) evaluated over a returned document. */
import type { Expression } from './ast';
import { pathOf } from './translate';

function follow(document: unknown, path: ReadonlyArray<string | number>): unknown {
  let current: unknown = document;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof segment === 'number' ? !Array.isArray(current) : Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** The value of an expression for one document; undefined is Cosmos DB's undefined (left out of the result). */
export function evaluate(expression: Expression, document: unknown, alias: string, parameters: ReadonlyMap<string, unknown>): unknown {
  switch (expression.type) {
    case 'string_constant':
    case 'number_constant':
    case 'boolean_constant':
      return expression.value;
    case 'null_constant':
      return null;
    case 'parameter_name':
      return parameters.get(expression.name);
    case 'scalar_array_expression':
      // An undefined element is dropped from an array, as Cosmos DB does.
      return expression.elements.map((element) => evaluate(element, document, alias, parameters)).filter((value) => value !== undefined);
    case 'scalar_object_expression': {
      const object: Record<string, unknown> = {};
      for (const { key, value } of expression.properties) {
        const evaluated = evaluate(value, document, alias, parameters);
        if (evaluated !== undefined) object[key.type === 'identifier' ? key.name : key.value] = evaluated;
      }
      return object;
    }
    default: {
      const path = pathOf(expression, alias);
      return path ? follow(document, path) : undefined;
    }
  }
}
