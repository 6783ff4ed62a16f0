import './telemetry/register';
import { app } from '@azure/functions';
import { loadConfig, type AppConfig } from './config';
import { connectCosmos, type CosmosConnection, type Repositories } from './data';
import { createPublisher, type ClosablePublisher } from './messaging';
import { createBrokerProbe, type BrokerProbe } from './messaging/broker-probe';
import { ensureDemoCatalog } from './services/catalog-service';
import { FulfillmentService } from './services/fulfillment-service';
import { InventoryService } from './services/inventory-service';
import { OrderService } from './services/order-service';
import { PaymentService } from './services/payment-service';
import { systemClock, type Clock } from './services/ports';
import { SagaRecordService } from './services/saga-record-service';
import { tracedPublisher } from './telemetry/message-trace';

/** Everything the functions call, built once per process. */
export interface AppServices {
  config: AppConfig;
  cosmos: CosmosConnection;
  repositories: Repositories;
  publisher: ClosablePublisher;
  /** Null when no broker is configured. */
  brokerProbe: BrokerProbe | null;
  orders: OrderService;
  inventory: InventoryService;
  payments: PaymentService;
  fulfillment: FulfillmentService;
  sagaRecords: SagaRecordService;
}

export type GetAppServices = () => Promise<AppServices>;

/** Wires the services over one Cosmos connection and one publisher; tests pass their own publisher and clock. */
export async function createAppServices(
  config: AppConfig,
  options: { publisher?: ClosablePublisher; clock?: Clock; brokerProbe?: BrokerProbe | null } = {},
): Promise<AppServices> {
  const cosmos = await connectCosmos(config.cosmos);
  const repositories = cosmos.repositories;
  const clock = options.clock ?? systemClock;
  const publisher = options.publisher ?? tracedPublisher(createPublisher(config.serviceBus));
  const payments = new PaymentService({ payments: repositories.payments, paymentMethods: repositories.paymentMethods, clock });
  return {
    config,
    cosmos,
    repositories,
    publisher,
    // Created lazily by the probe itself: no connection is opened until the first health check.
    brokerProbe: options.brokerProbe === undefined ? createBrokerProbe(config.serviceBus) : options.brokerProbe,
    orders: new OrderService({
      orders: repositories.orders,
      products: repositories.products,
      publisher,
      cards: payments,
      clock,
      allowFailureSimulation: config.allowFailureSimulation,
      publishTimeoutMs: config.orderPublishTimeoutMs,
    }),
    inventory: new InventoryService({ products: repositories.products }),
    payments,
    fulfillment: new FulfillmentService({ shipments: repositories.shipments, clock }),
    sagaRecords: new SagaRecordService({ sagas: repositories.sagas, orders: repositories.orders, clock }),
  };
}

let appServices: Promise<AppServices> | undefined;

/**
 * The process-wide services, created on first use so that a function that never needs them (and the
 * host's indexing of the app) does not connect anywhere. A failed start is forgotten, so the next
 * invocation tries again instead of failing forever.
 */
export function getAppServices(): Promise<AppServices> {
  if (!appServices) {
    const pending = Promise.resolve().then(() => createAppServices(loadConfig()));
    appServices = pending;
    pending.catch(() => {
      if (appServices === pending) appServices = undefined;
    });
  }
  return appServices;
}

/**
 * Seeds the demo catalog when the app starts (SEED_CATALOG_ON_START). A failure is logged, not thrown: the
 * API stays up for what does not need the catalog, and `npm run seed:db` can seed it later.
 */
app.hook.appStart(async () => {
  try {
    const config = loadConfig();
    if (!config.seedCatalogOnStart) return;
    const { repositories } = await getAppServices();
    await ensureDemoCatalog(repositories.products);
  } catch (error) {
    console.error(`Seeding the demo catalog at start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  }
});

app.hook.appTerminate(async () => {
  if (!appServices) return;
  const services = await appServices.catch(() => undefined);
  await services?.publisher.close();
  await services?.brokerProbe?.close();
});

export type CheckResult = 'ok' | 'failed' | 'not-configured';

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: { config: CheckResult; cosmos: CheckResult; serviceBus: CheckResult };
}

const HEALTH_CHECK_TIMEOUT_MS = 5_000;

/**
 * Ready means: the settings are valid, the database answers, and the message broker answers (without one an
 * accepted order could never start its saga). Each check is a round trip with a timeout, run side by side;
 * reasons for a failure go to the log, not the answer.
 */
export async function checkAppHealth(
  getServices: GetAppServices = getAppServices,
  log: (message: string) => void = console.warn,
): Promise<HealthReport> {
  const checks: HealthReport['checks'] = { config: 'failed', cosmos: 'failed', serviceBus: 'failed' };
  const failed = (check: string) => (error: unknown) => {
    log(`Health check ${check} failed: ${error instanceof Error ? error.message : String(error)}`);
  };
  let services: AppServices;
  try {
    services = await withTimeout(getServices(), 'starting the app services');
    checks.config = 'ok';
  } catch (error) {
    failed('config')(error);
    return { status: 'unavailable', checks };
  }
  const checkCosmos = async () => {
    await withTimeout(services.cosmos.client.database(services.config.cosmos.database).read(), 'reading the Cosmos DB database');
    checks.cosmos = 'ok';
  };
  const checkServiceBus = async () => {
    const probe = services.brokerProbe;
    if (probe === null) {
      checks.serviceBus = 'not-configured';
      return;
    }
    await withTimeout(probe.check(), 'a round trip to the message broker');
    checks.serviceBus = 'ok';
  };
  await Promise.all([checkCosmos().catch(failed('cosmos')), checkServiceBus().catch(failed('serviceBus'))]);
  const healthy = Object.values(checks).every((result) => result === 'ok');
  return { status: healthy ? 'ok' : 'unavailable', checks };
}

async function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${HEALTH_CHECK_TIMEOUT_MS} ms`)), HEALTH_CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
