import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

const COMPONENT_REF = (id: string): string => `#/components/schemas/${id}`;

/**
 * JSON Schema 2020-12 (the dialect of OpenAPI 3.1) for named zod schemas. A schema that appears inside
 * another of the same set becomes a `$ref` to its component, so each shape is written once.
 */
export function componentSchemas(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: generated } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    // A refinement (Luhn check, duplicate lines) cannot be expressed in JSON Schema; the type it refines still is.
    unrepresentable: 'any',
    uri: COMPONENT_REF,
  });
  return Object.fromEntries(Object.entries(generated).map(([id, schema]) => [id, withoutDocumentKeywords(schema as JsonSchema)]));
}

/** One schema inline (a parameter's), as a client sends it. */
export function inputSchema(schema: z.ZodType): JsonSchema {
  return withoutDocumentKeywords(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as JsonSchema);
}

/** `$schema` and `$id` belong to a standalone schema document, not to a component inside the API document. */
function withoutDocumentKeywords(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

export function componentRef(id: string): JsonSchema {
  return { $ref: COMPONENT_REF(id) };
}
