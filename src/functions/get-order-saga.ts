import { app } from '@azure/functions';
import { getAppServices, type AppServices } from '../app-services';
import { OrderSagaSchema } from '../domain';
import { httpEndpoint } from '../http/http-handler';
import { problemResponse } from '../http/problem';
import { jsonResponse } from '../http/responses';
import { routeId } from '../http/route-id';

export type GetOrderSagaServices = Pick<AppServices, 'sagaRecords'>;

/** GET /api/orders/{id}/saga: the saga record, or 404 until the saga has started. */
export function getOrderSagaHandler(getServices: () => Promise<GetOrderSagaServices>) {
  return httpEndpoint(async ({ request }) => {
    const orderId = routeId(request);
    const saga = orderId === null ? null : await (await getServices()).sagaRecords.get(orderId);
    if (!saga) return problemResponse(404, orderId === null ? 'There is no such order.' : `There is no saga for order "${orderId}" (yet).`);
    // The schema keeps the answer to the contract's fields, whatever else the stored document carries.
    return jsonResponse(200, OrderSagaSchema.parse(saga));
  });
}

app.http('getOrderSaga', {
  methods: ['GET'],
  route: 'orders/{id}/saga',
  authLevel: 'anonymous',
  handler: getOrderSagaHandler(getAppServices),
});
