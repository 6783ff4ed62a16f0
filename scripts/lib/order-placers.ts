import type { AppConfig } from '../../src/config';
import { CreateOrderRequestSchema } from '../../src/domain';
import { createPublisher, describeNamespace } from '../../src/messaging';
import { OrderService } from '../../src/services/order-service';
import { PaymentService } from '../../src/services/payment-service';
import { systemClock } from '../../src/services/ports';
import { connectForScript } from './cosmos';
import type { DemoOrderRequest } from './demo-orders';

export type PlaceOutcome =
  | { ok: true; orderId: string; note: string }
  /** `stop`: every later order would fail the same way, so the run ends here. */
  | { ok: false; reason: string; stop: boolean };

export interface OrderPlacer {
  /** Where orders go, for the first line of output. */
  readonly target: string;
  place(request: DemoOrderRequest, idempotencyKey: string): Promise<PlaceOutcome>;
  close(): Promise<void>;
}

/** Stores each order and publishes its OrderCreated in this process, exactly as the HTTP function does. */
export async function directPlacer(config: AppConfig): Promise<OrderPlacer> {
  if (config.serviceBus.kind === 'none') {
    throw new Error(
      'No message broker is configured: set ServiceBusConnection to a connection string, or ServiceBusConnection__fullyQualifiedNamespace ' +
        'for an identity (see local.settings.sample.json), or use --api.',
    );
  }
  const connection = await connectForScript(config.cosmos);
  const publisher = createPublisher(config.serviceBus);
  const warnings: string[] = [];
  const service = new OrderService({
    orders: connection.repositories.orders,
    products: connection.repositories.products,
    publisher,
    cards: new PaymentService({
      payments: connection.repositories.payments,
      paymentMethods: connection.repositories.paymentMethods,
      clock: systemClock,
    }),
    clock: systemClock,
    allowFailureSimulation: config.allowFailureSimulation,
    // The service logs a publish failure and carries on (its sweeper republishes); the script reports it.
    log: { warn: (message, ...details) => warnings.push(details.map(errorOf).find(Boolean) ?? message) },
  });
  const broker = config.serviceBus.kind === 'embedded' ? `embedded broker ${config.serviceBus.url}` : `Service Bus ${describeNamespace(config.serviceBus)}`;
  return {
    target: `Cosmos DB ${config.cosmos.endpoint} (database "${config.cosmos.database}") and ${broker}`,
    async place(request, idempotencyKey) {
      const result = await service.placeOrder(CreateOrderRequestSchema.parse(request), {
        idempotencyKey,
        correlationId: idempotencyKey,
      });
      switch (result.kind) {
        case 'accepted':
          if (result.published) return { ok: true, orderId: result.order.id, note: 'accepted' };
          return {
            ok: false,
            reason:
              `order ${result.order.id} stored, but its OrderCreated was not published (${warnings.pop() ?? 'broker error'}); ` +
              "the app's pending-order sweeper will send it once the broker is back",
            stop: true,
          };
        case 'replayed':
          return { ok: true, orderId: result.order.id, note: 'already placed' };
        case 'unknown-products':
          return { ok: false, reason: `unknown products ${result.productIds.join(', ')}: run npm run seed:db first`, stop: true };
        case 'simulation-disabled':
          return { ok: false, reason: 'failure simulation is off (ALLOW_FAILURE_SIMULATION=false): use --failures none', stop: true };
        case 'idempotency-conflict':
          return { ok: false, reason: 'idempotency key already used with another body', stop: false };
      }
    },
    async close() {
      await publisher.close();
      connection.client.dispose();
    },
  };
}

/** Posts each order to a running app (`npm start` or `func start`), through the public contract. */
export function apiPlacer(baseUrl: string): OrderPlacer {
  const ordersUrl = `${baseUrl.replace(/\/+$/, '').replace(/\/api$/, '')}/api/orders`;
  return {
    target: ordersUrl,
    async place(request, idempotencyKey) {
      let response: Response;
      try {
        response = await fetch(ordersUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
        return { ok: false, reason: `${ordersUrl} is unreachable (${cause}); is the app running?`, stop: true };
      }
      const text = await response.text();
      const body = parseJson(text);
      if (response.status === 202 || response.status === 200) {
        const orderId = typeof body?.id === 'string' ? body.id : '(no id in response)';
        return { ok: true, orderId, note: response.status === 202 ? 'accepted' : 'already placed' };
      }
      const detail = typeof body?.detail === 'string' ? body.detail : typeof body?.title === 'string' ? body.title : text.slice(0, 200);
      // A 4xx repeats for every order of the run; a 5xx may pass.
      return { ok: false, reason: `HTTP ${response.status}: ${detail}`, stop: response.status >= 400 && response.status < 500 && response.status !== 409 };
    },
    async close() {},
  };
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function errorOf(detail: unknown): string | undefined {
  const error = typeof detail === 'object' && detail !== null ? (detail as { error?: unknown }).error : undefined;
  return typeof error === 'string' ? error : undefined;
}
