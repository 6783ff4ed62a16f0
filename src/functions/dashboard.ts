import path from 'node:path';
import { app } from '@azure/functions';
import { httpEndpoint } from '../http/http-handler';
import { assetServer, filesOf, WEB_DIR, type AssetSet } from '../http/static-assets';

function dashboardAssets(): AssetSet {
  const dir = path.join(WEB_DIR, 'dashboard');
  return {
    index: path.join(dir, 'index.html'),
    files: filesOf(dir),
    // Plain files from this origin and calls to this origin's API, nothing else.
    contentSecurityPolicy:
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    cacheControl: 'no-cache',
  };
}

let assets: AssetSet | undefined;
const serveDashboard = assetServer(() => (assets ??= dashboardAssets()));

/** GET /api/dashboard: the saga dashboard, a page that reads and places orders through the public API only. */
export const dashboardHandler = httpEndpoint(async ({ request }) => serveDashboard(request));

app.http('dashboard', {
  methods: ['GET'],
  route: 'dashboard/{*asset}',
  authLevel: 'anonymous',
  handler: dashboardHandler,
});
