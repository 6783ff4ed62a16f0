/** `GET /admin/faults`: the fault plan in force and how many faults of each kind were injected so far. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRouteHandler } from '../contracts';
import { sendJson, sendProblem } from '../problem';
import type { FaultInjector } from './fault-injector';

export const faultsPath = '/admin/faults';

export class FaultsEndpoint implements HttpRouteHandler {
  constructor(private readonly faults: FaultInjector) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== faultsPath) return false;
    if (req.method !== 'GET') {
      sendProblem(res, { status: 405, detail: `${faultsPath} only answers GET.`, headers: { allow: 'GET' } });
      return true;
    }
    sendJson(res, 200, this.faults.report());
    return true;
  }
}
