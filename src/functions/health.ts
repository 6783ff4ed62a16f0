import { app } from '@azure/functions';
import { checkAppHealth, type HealthReport } from '../app-services';
import { httpEndpoint } from '../http/http-handler';
import { problemResponse } from '../http/problem';
import { jsonResponse } from '../http/responses';

/** GET /api/health: 200 `{status:'ok', checks}` when ready, otherwise a 503 problem document that lists the checks. */
export function healthHandler(check: (log: (message: string) => void) => Promise<HealthReport>) {
  return httpEndpoint(async ({ context }) => {
    const report = await check((message) => context.warn(message));
    const headers = { 'cache-control': 'no-store' };
    if (report.status === 'ok') return jsonResponse(200, report, headers);
    const failing = Object.entries(report.checks).filter(([, result]) => result !== 'ok').map(([name]) => name);
    // A 503 is a problem document like every error answer; `checks` rides along as an extension member.
    return problemResponse(503, `Not ready: ${failing.join(', ')}.`, { headers, extensions: { checks: report.checks } });
  });
}

app.http('health', {
  methods: ['GET'],
  route: 'health',
  authLevel: 'anonymous',
  handler: healthHandler((log) => checkAppHealth(undefined, log)),
});
