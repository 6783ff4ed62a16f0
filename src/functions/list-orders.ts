import { app } from '@azure/functions';
import { getAppServices, type AppServices } from '../app-services';
import { httpEndpoint } from '../http/http-handler';
import { parseOrderListQuery, queryParametersOf, toOrderListQuery } from '../http/order-list-query';
import { problemResponse, validationProblem } from '../http/problem';
import { jsonResponse } from '../http/responses';
import { InvalidContinuationToken } from '../services/ports';

export type ListOrdersServices = Pick<AppServices, 'orders'>;

/** GET /api/orders?customerId=&status=&limit=&continuationToken=: newest first, one page at a time. */
export function listOrdersHandler(getServices: () => Promise<ListOrdersServices>) {
  return httpEndpoint(async ({ request }) => {
    const parsed = parseOrderListQuery(queryParametersOf(request));
    if (!parsed.success) return validationProblem(parsed.error, 'The query parameters are not valid.');
    const { orders } = await getServices();
    try {
      const page = await orders.listOrders(toOrderListQuery(parsed.data));
      return jsonResponse(200, { items: page.items, continuationToken: page.continuationToken });
    } catch (error) {
      if (!(error instanceof InvalidContinuationToken)) throw error;
      return problemResponse(400, 'The continuation token is malformed or belongs to another query.', {
        errors: [{ path: 'continuationToken', message: 'pass back the continuationToken of the previous page unchanged' }],
      });
    }
  });
}

app.http('listOrders', {
  methods: ['GET'],
  route: 'orders',
  authLevel: 'anonymous',
  handler: listOrdersHandler(getAppServices),
});
