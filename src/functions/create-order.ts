import { app } from '@azure/functions';
import { getAppServices, type AppServices } from '../app-services';
import { CreateOrderRequestSchema } from '../domain';
import { httpEndpoint } from '../http/http-handler';
import { idempotencyKeyOf } from '../http/idempotency-key';
import { readJsonBody } from '../http/json-body';
import { problemResponse, validationProblem } from '../http/problem';
import { jsonResponse } from '../http/responses';
import { recordSagaStarted } from '../telemetry/saga-metrics';

export type CreateOrderServices = Pick<AppServices, 'orders'>;

/** POST /api/orders: 202 + Location for a new order, 200 for an Idempotency-Key replay. */
export function createOrderHandler(getServices: () => Promise<CreateOrderServices>) {
  return httpEndpoint(async ({ request, context, correlationId }) => {
    const body = await readJsonBody(request);
    if (!body.ok) return body.response;
    const parsed = CreateOrderRequestSchema.safeParse(body.value);
    if (!parsed.success) return validationProblem(parsed.error, 'The order request is not valid.');
    const idempotencyKey = idempotencyKeyOf(request);
    if (!idempotencyKey.ok) return idempotencyKey.response;

    const { orders } = await getServices();
    const outcome = await orders.placeOrder(parsed.data, { idempotencyKey: idempotencyKey.value, correlationId });
    switch (outcome.kind) {
      case 'accepted':
        context.log(`Order ${outcome.order.id} accepted [correlationId=${correlationId}]`);
        recordSagaStarted(outcome.order.sagaStyle);
        if (!outcome.published) {
          context.warn(`OrderCreated for ${outcome.order.id} is not published yet; the pending-order sweeper will send it`);
        }
        return jsonResponse(202, outcome.order, { location: orderLocation(outcome.order.id) });
      case 'replayed':
        return jsonResponse(200, outcome.order, { location: orderLocation(outcome.order.id) });
      case 'idempotency-conflict':
        return problemResponse(409, 'This Idempotency-Key was already used by this customer with a different request body.', {
          errors: [{ path: 'Idempotency-Key', message: 'already used with another body; use a new key for a new order' }],
        });
      case 'unknown-products':
        return problemResponse(422, `Unknown product(s): ${outcome.productIds.join(', ')}.`, {
          errors: parsed.data.items.flatMap((item, index) =>
            outcome.productIds.includes(item.productId)
              ? [{ path: `items.${index}.productId`, message: `no product "${item.productId}" in the catalog` }]
              : [],
          ),
        });
      case 'simulation-disabled':
        return problemResponse(400, 'Failure simulation is turned off on this deployment (ALLOW_FAILURE_SIMULATION=false).', {
          errors: [{ path: 'simulateFailure', message: 'not allowed on this deployment' }],
        });
    }
  });
}

export function orderLocation(orderId: string): string {
  return `/api/orders/${encodeURIComponent(orderId)}`;
}

app.http('createOrder', {
  methods: ['POST'],
  route: 'orders',
  authLevel: 'anonymous',
  handler: createOrderHandler(getAppServices),
});
