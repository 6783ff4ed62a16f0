import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getAppServices, type AppServices } from '../app-services';
import { resumeChoreographySaga } from '../choreography/resume-saga';
import { httpEndpoint } from '../http/http-handler';
import { problemResponse } from '../http/problem';
import { jsonResponse } from '../http/responses';
import { routeId } from '../http/route-id';
import { resumeOrderSaga } from '../orchestration/resume-order-saga';
import type { SagaStarterClient } from '../orchestration/saga-starter';

/**
 * POST /api/orders/{id}/saga/resume: the operator action (auth level `function`: on Azure it needs a function
 * key). 202 with what was done, 404 for an unknown order, 409 when the saga is running or finished.
 */
export function resumeOrderSagaHandler(
  getServices: () => Promise<AppServices>,
  clientFor: (context: InvocationContext) => SagaStarterClient = df.getClient,
  resumeChoreography: typeof resumeChoreographySaga = resumeChoreographySaga,
  now: () => Date = () => new Date(),
) {
  return httpEndpoint(async ({ request, context, correlationId }) => {
    const orderId = routeId(request);
    if (orderId === null) return problemResponse(404, 'There is no such order.');
    const answer = await resumeOrderSaga({ services: await getServices(), client: clientFor(context), resumeChoreography, now: now() }, orderId);
    switch (answer.kind) {
      case 'unknown-order':
        return problemResponse(404, `There is no order "${orderId}".`);
      case 'not-resumable':
        return problemResponse(409, answer.detail);
      case 'resumed':
        context.log(`[orderId=${orderId} correlationId=${correlationId}] Operator resumed the saga: ${answer.action}: ${answer.detail}`);
        return jsonResponse(202, { orderId, action: answer.action, detail: answer.detail }, { Location: `/api/orders/${orderId}/saga` });
    }
  });
}

app.http('resumeOrderSaga', {
  methods: ['POST'],
  route: 'orders/{id}/saga/resume',
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: resumeOrderSagaHandler(getAppServices),
});
