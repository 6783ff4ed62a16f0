import { app } from '@azure/functions';
import { getAppServices, type AppServices } from '../app-services';
import { httpEndpoint } from '../http/http-handler';
import { problemResponse } from '../http/problem';
import { toPublicProduct } from '../http/public-product';
import { jsonResponse } from '../http/responses';
import { routeId } from '../http/route-id';

export type ProductServices = Pick<AppServices, 'repositories'>;

/** GET /api/products: the whole catalog with stock levels. */
export function listProductsHandler(getServices: () => Promise<ProductServices>) {
  return httpEndpoint(async () => {
    const products = await (await getServices()).repositories.products.list();
    return jsonResponse(200, { items: products.map(toPublicProduct) });
  });
}

/** GET /api/products/{id}: one product, or 404. */
export function getProductHandler(getServices: () => Promise<ProductServices>) {
  return httpEndpoint(async ({ request }) => {
    const productId = routeId(request);
    const product = productId === null ? null : await (await getServices()).repositories.products.get(productId);
    if (!product) return problemResponse(404, productId === null ? 'There is no such product.' : `There is no product with id "${productId}".`);
    return jsonResponse(200, toPublicProduct(product));
  });
}

app.http('listProducts', {
  methods: ['GET'],
  route: 'products',
  authLevel: 'anonymous',
  handler: listProductsHandler(getAppServices),
});

app.http('getProduct', {
  methods: ['GET'],
  route: 'products/{id}',
  authLevel: 'anonymous',
  handler: getProductHandler(getAppServices),
});
