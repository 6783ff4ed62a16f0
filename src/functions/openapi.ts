import path from 'node:path';
import { app } from '@azure/functions';
import { httpEndpoint } from '../http/http-handler';
import { buildOpenApiDocument } from '../http/openapi/document';
import { jsonResponse } from '../http/responses';
import { assetServer, filesOf, WEB_DIR, type AssetSet } from '../http/static-assets';

let document: Record<string, unknown> | undefined;

/** GET /api/openapi.json: the API's OpenAPI 3.1 document, generated from the handlers' schemas. */
export const openApiHandler = httpEndpoint(async () => {
  document ??= buildOpenApiDocument();
  return jsonResponse(200, document, { 'cache-control': 'no-cache' });
});

/** The viewer comes from the installed swagger-ui-dist package, so the page needs nothing from the internet. */
const SWAGGER_UI_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'] as const;

function referenceAssets(): AssetSet {
  const swaggerUiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const pageDir = path.join(WEB_DIR, 'docs');
  return {
    index: path.join(pageDir, 'index.html'),
    files: { ...filesOf(swaggerUiDir, SWAGGER_UI_FILES), ...filesOf(pageDir) },
    // Swagger UI sets inline styles and shows schema images as data: URLs; scripts come only from here.
    contentSecurityPolicy:
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    cacheControl: 'public, max-age=3600',
  };
}

let referencePage: AssetSet | undefined;
const serveReference = assetServer(() => (referencePage ??= referenceAssets()));

/** GET /api/docs: the interactive API reference (Swagger UI) and its files. */
export const apiReferenceHandler = httpEndpoint(async ({ request }) => serveReference(request));

app.http('openApiDocument', {
  methods: ['GET'],
  route: 'openapi.json',
  authLevel: 'anonymous',
  handler: openApiHandler,
});

app.http('apiReference', {
  methods: ['GET'],
  route: 'docs/{*asset}',
  authLevel: 'anonymous',
  handler: apiReferenceHandler,
});
