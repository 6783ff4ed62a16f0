import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CreateOrderRequestSchema, OrderSagaSchema, OrderSchema } from '../../src/domain';
import { buildOpenApiDocument } from '../../src/http/openapi/document';
import { OrderListQuerySchema } from '../../src/http/order-list-query';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const document = buildOpenApiDocument() as Json;
const schemas = document.components.schemas as Record<string, Json>;
const contract = readFileSync(path.resolve(__dirname, '../../docs/api-contract.md'), 'utf8');

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  return rest;
}

function statusesOf(pathTemplate: string, method: string): string[] {
  return Object.keys(document.paths[pathTemplate][method].responses).filter((status) => status !== 'default').sort();
}

describe('the OpenAPI document, built from the schemas the handlers use', () => {
  it('describes the order request exactly as the handler validates it, as a client sends it', () => {
    expect(schemas.CreateOrderRequest).toEqual(jsonSchemaOf(CreateOrderRequestSchema, 'input'));
  });

  it('describes the order and the saga exactly as the handlers shape them', () => {
    expect(schemas.Order).toEqual(jsonSchemaOf(OrderSchema, 'output'));
    expect(schemas.OrderSaga).toEqual(jsonSchemaOf(OrderSagaSchema, 'output'));
  });

  it('takes the list query parameters from the query schema', () => {
    const parameters = document.paths['/api/orders'].get.parameters.filter((parameter: Json) => parameter.in === 'query');
    const query = jsonSchemaOf(OrderListQuerySchema, 'input');
    expect(parameters.map((parameter: Json) => parameter.name)).toEqual(Object.keys(query.properties));
    for (const parameter of parameters) expect(parameter.schema).toEqual(query.properties[parameter.name]);
  });

  it("accepts the contract's sample request and refuses one with a field the contract does not have", () => {
    const sample = JSON.parse(/### `POST \/api\/orders`[\s\S]*?```json\n([\s\S]*?)```/.exec(contract)?.[1] ?? 'null') as Json;
    const validate = new Ajv2020({ strict: false }).addSchema(document, 'doc').getSchema('doc#/components/schemas/CreateOrderRequest');
    expect(validate?.(sample), JSON.stringify(validate?.errors)).toBe(true);
    expect(validate?.({ ...sample, unitPrice: 1 })).toBe(false);
  });

  it("lists each route's statuses as the contract gives them", () => {
    expect(statusesOf('/api/orders', 'post')).toEqual(['200', '202', '400', '409', '413', '415', '422']);
    expect(statusesOf('/api/orders', 'get')).toEqual(['200', '400']);
    expect(statusesOf('/api/orders/{id}', 'get')).toEqual(['200', '404']);
    expect(statusesOf('/api/orders/{id}/saga', 'get')).toEqual(['200', '404']);
    expect(statusesOf('/api/products', 'get')).toEqual(['200']);
    expect(statusesOf('/api/products/{id}', 'get')).toEqual(['200', '404']);
    expect(statusesOf('/api/health', 'get')).toEqual(['200', '503']);
    expect(Object.keys(document.components.responses).sort()).toEqual(['MethodNotAllowed', 'NotFound']);
  });

  it('answers every error with a problem document, and a fault of the service as the default answer', () => {
    for (const [template, operations] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
          if (status !== 'default' && Number(status) < 400) continue;
          expect(Object.keys(response.content), `${method} ${template} ${status}`).toEqual(['application/problem+json']);
        }
      }
    }
  });
});
