import { app } from '@azure/functions';
import { getAppServices, type AppServices } from '../app-services';
import { httpEndpoint } from '../http/http-handler';
import { problemResponse } from '../http/problem';
import { jsonResponse } from '../http/responses';
import { routeId } from '../http/route-id';

export type GetOrderServices = Pick<AppServices, 'orders'>;

/** GET /api/orders/{id}: the order, or 404. */
export function getOrderHandler(getServices: () => Promise<GetOrderServices>) {
  return httpEndpoint(async ({ request }) => {
    const orderId = routeId(request);
    const order = orderId === null ? null : await (await getServices()).orders.getOrder(orderId);
    if (!order) return problemResponse(404, orderId === null ? 'There is no such order.' : `There is no order with id "${orderId}".`);
    return jsonResponse(200, order);
  });
}

app.http('getOrder', {
  methods: ['GET'],
  route: 'orders/{id}',
  authLevel: 'anonymous',
  handler: getOrderHandler(getAppServices),
});
