import { FAILURE_SIMULATIONS } from '../../domain';
import { ACCEPTABLE_CORRELATION_ID, CORRELATION_HEADER } from '../correlation';
import { ACCEPTABLE_KEY, IDEMPOTENCY_KEY_HEADER } from '../idempotency-key';
import { MAX_BODY_BYTES } from '../json-body';
import { OrderListQuerySchema } from '../order-list-query';
import { REQUEST_SCHEMAS, RESPONSE_SCHEMAS } from './components';
import { componentRef, componentSchemas, inputSchema, type JsonSchema } from './json-schema';

export const OPENAPI_PATH = '/api/openapi.json';

type Responses = Record<string, JsonSchema>;

const JSON_MEDIA = 'application/json';
const PROBLEM_MEDIA = 'application/problem+json';
const HTML_MEDIA = 'text/html';

const correlationHeaderRef = { [CORRELATION_HEADER]: { $ref: '#/components/headers/CorrelationId' } };

function json(description: string, schemaId: string, headers: Record<string, JsonSchema> = {}): JsonSchema {
  return { description, headers: { ...correlationHeaderRef, ...headers }, content: { [JSON_MEDIA]: { schema: componentRef(schemaId) } } };
}

function problem(description: string, schemaId = 'Problem', headers: Record<string, JsonSchema> = {}): JsonSchema {
  return { description, headers: { ...correlationHeaderRef, ...headers }, content: { [PROBLEM_MEDIA]: { schema: componentRef(schemaId) } } };
}

function html(description: string): JsonSchema {
  return { description, content: { [HTML_MEDIA]: { schema: { type: 'string' } } } };
}

const assetParameter = { name: 'asset', in: 'path', required: true, description: 'The file name, e.g. `dashboard.js`.', schema: { type: 'string' } };

const pageAsset: Responses = {
  '200': {
    description: 'The file.',
    content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } }, 'image/png': {} },
  },
  '404': problem('No file of this name.'),
};

const serviceFault = problem('A fault of the service itself (never of anything the client sent). Quote the correlation id when reporting it.');

function operation(operationId: string, tag: string, summary: string, responses: Responses, extra: JsonSchema = {}): JsonSchema {
  return { operationId, tags: [tag], summary, ...extra, responses: { ...responses, default: serviceFault } };
}

const idParameter = (what: string): JsonSchema => ({
  name: 'id',
  in: 'path',
  required: true,
  description: `The ${what} id.`,
  schema: { type: 'string' },
});

const correlationParameter = {
  name: CORRELATION_HEADER,
  in: 'header',
  required: false,
  description: 'Echoed in the answer when it is printable ASCII of at most 256 characters; otherwise the answer carries a new one.',
  schema: { type: 'string' },
};

function orderListParameters(): JsonSchema[] {
  const query = inputSchema(OrderListQuerySchema) as { properties: Record<string, JsonSchema> };
  const descriptions: Record<string, string> = {
    customerId: 'Only the orders of this customer.',
    status: 'Only the orders in this status.',
    limit: 'Orders per page, 1 to 100.',
    continuationToken: 'The `continuationToken` of the previous page, unchanged.',
  };
  return Object.entries(query.properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    description: descriptions[name],
    schema,
  }));
}

const simulationList = FAILURE_SIMULATIONS.map((value) => `\`${value}\``).join(', ');

function paths(): Record<string, JsonSchema> {
  const location = { Location: { $ref: '#/components/headers/Location' } };
  return {
    '/api/orders': {
      post: operation(
        'createOrder',
        'Orders',
        'Place an order and start its saga',
        {
          '202': json('Accepted: the order is stored with status `Pending` and its saga starts.', 'Order', location),
          '200': json('The same `Idempotency-Key` with the same body: the first order again; nothing new starts.', 'Order', location),
          '400': problem(
            'Malformed JSON, a body that fails validation (`errors` lists each field), an invalid `Idempotency-Key`, or `simulateFailure` on a deployment where failure simulation is off.',
          ),
          '409': problem('The same `Idempotency-Key` was already used with a different body.'),
          '413': problem(`The body is larger than ${MAX_BODY_BYTES} bytes.`),
          '415': problem('The body is not JSON (`Content-Type: application/json`).'),
          '422': problem('Well-formed but impossible: a `productId` that is not in the catalog.'),
        },
        {
          description:
            `Prices come from the catalog. \`sagaStyle\` picks the orchestrator (default) or the choreography. ` +
            `\`simulateFailure\` (${simulationList}) makes that step fail to show the compensations; so do the declined card ` +
            '`4000000000000002`, a total above 10,000, an out-of-stock product (`rare-parrot-perch`) and the country `AQ`.',
          parameters: [
            {
              name: IDEMPOTENCY_KEY_HEADER,
              in: 'header',
              required: false,
              description: 'Send the same key again to get the first order back instead of placing a second one.',
              schema: { type: 'string', pattern: ACCEPTABLE_KEY.source },
            },
            correlationParameter,
          ],
          requestBody: { required: true, content: { [JSON_MEDIA]: { schema: componentRef('CreateOrderRequest') } } },
        },
      ),
      get: operation(
        'listOrders',
        'Orders',
        'List orders, newest first',
        {
          '200': json('One page of orders.', 'OrderPage'),
          '400': problem('A `limit` out of range or not a number, an unknown `status`, or a malformed `continuationToken`.'),
        },
        { parameters: [...orderListParameters(), correlationParameter] },
      ),
    },
    '/api/orders/{id}': {
      get: operation('getOrder', 'Orders', 'One order', { '200': json('The order.', 'Order'), '404': problem('No order with this id.') }, {
        parameters: [idParameter('order'), correlationParameter],
      }),
    },
    '/api/orders/{id}/saga': {
      get: operation(
        'getOrderSaga',
        'Orders',
        "One order's saga: each step and compensation with attempts, times and errors",
        { '200': json('The saga record.', 'OrderSaga'), '404': problem('No such order, or its saga has not started yet.') },
        { parameters: [idParameter('order'), correlationParameter] },
      ),
    },
    '/api/orders/{id}/saga/resume': {
      post: operation(
        'resumeOrderSaga',
        'Operations',
        'Operator action: move a stopped saga on',
        {
          '202': json('Resumed: `action` says how (a restarted orchestration, compensations run again, or events re-driven).', 'SagaResumeAnswer', {
            Location: { $ref: '#/components/headers/SagaLocation' },
          }),
          '404': problem('No order with this id.'),
          '409': problem('The saga is running, or finished in a way that needs nothing: nothing to resume.'),
        },
        {
          description:
            'For an orchestration that ended `Failed` or `Terminated`, or a saga that ended `CompensationFailed` (order `Failed`) once the fault ' +
            'is fixed. On Azure the function needs a function key (`code` query parameter or `x-functions-key` header).',
          parameters: [idParameter('order'), correlationParameter],
        },
      ),
    },
    '/api/products': {
      get: operation('listProducts', 'Products', 'The catalog with stock levels', { '200': json('Every product.', 'ProductList') }, {
        parameters: [correlationParameter],
      }),
    },
    '/api/products/{id}': {
      get: operation('getProduct', 'Products', 'One product', { '200': json('The product.', 'Product'), '404': problem('No product with this id.') }, {
        parameters: [idParameter('product'), correlationParameter],
      }),
    },
    '/api/health': {
      get: operation(
        'health',
        'Operations',
        'Readiness',
        {
          '200': json('Ready.', 'HealthReport', { 'Cache-Control': { $ref: '#/components/headers/NoStore' } }),
          '503': problem('Not ready; `checks` says which check failed.', 'HealthProblem', { 'Cache-Control': { $ref: '#/components/headers/NoStore' } }),
        },
        { parameters: [correlationParameter] },
      ),
    },
    [OPENAPI_PATH]: {
      get: operation('openApiDocument', 'Operations', 'This document', {
        '200': { description: 'The OpenAPI 3.1 document.', headers: correlationHeaderRef, content: { [JSON_MEDIA]: { schema: { type: 'object' } } } },
      }),
    },
    '/api/docs': {
      get: operation('apiReference', 'Pages', 'The interactive API reference (Swagger UI)', { '200': html('The reference page.') }),
    },
    '/api/docs/{asset}': {
      get: operation('apiReferenceAsset', 'Pages', "A file of the reference page (Swagger UI's script and style sheet)", pageAsset, {
        parameters: [assetParameter],
      }),
    },
    '/api/dashboard': {
      get: operation('dashboard', 'Pages', 'The saga dashboard', { '200': html('The dashboard page.') }),
    },
    '/api/dashboard/{asset}': {
      get: operation('dashboardAsset', 'Pages', "A file of the dashboard (its script and style sheet)", pageAsset, {
        parameters: [assetParameter],
      }),
    },
  };
}

function components(): JsonSchema {
  return {
    schemas: { ...componentSchemas(REQUEST_SCHEMAS, 'input'), ...componentSchemas(RESPONSE_SCHEMAS, 'output') },
    headers: {
      CorrelationId: {
        description: 'On every answer: the caller\'s `x-correlation-id` when usable, else a new one. For anything about one order, its logs and messages carry the order id.',
        required: true,
        schema: { type: 'string', pattern: ACCEPTABLE_CORRELATION_ID.source },
      },
      Location: { description: 'Where the order can be read.', required: true, schema: { type: 'string', pattern: '^/api/orders/[^/]+$' } },
      SagaLocation: { description: 'Where the saga can be watched.', required: true, schema: { type: 'string', pattern: '^/api/orders/[^/]+/saga$' } },
      NoStore: { description: 'Readiness is never cached.', required: true, schema: { type: 'string', const: 'no-store' } },
      Allow: { description: 'The methods the path accepts.', required: true, schema: { type: 'string' } },
    },
    responses: {
      NotFound: problem('Any path that is not in this document.'),
      MethodNotAllowed: problem('A method a documented path does not accept.', 'Problem', { Allow: { $ref: '#/components/headers/Allow' } }),
    },
  };
}

/** The API's OpenAPI 3.1 document, built from the schemas the handlers validate and answer with. */
export function buildOpenApiDocument(): JsonSchema {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'PetStore Saga',
      version: '1.0.0',
      summary: 'Order fulfilment as a saga on Azure Durable Functions.',
      description:
        'JSON in and out; times are ISO 8601 UTC; money is a number in the catalog currency. Every 4xx and 5xx answer is a ' +
        'problem document (RFC 9457). A path not listed here answers 404 (`#/components/responses/NotFound`); a method a path ' +
        'does not list answers 405 with `Allow` (`#/components/responses/MethodNotAllowed`).',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'Orders', description: 'Place orders and watch their sagas.' },
      { name: 'Products', description: 'The catalog and its stock.' },
      { name: 'Operations', description: 'Readiness and this document.' },
      { name: 'Pages', description: 'Pages for people: the API reference and the saga dashboard.' },
    ],
    paths: paths(),
    components: components(),
  };
}
