import { z } from 'zod';
import { isLocalCosmosEndpoint } from './data/cosmos-endpoint';

/** The Cosmos DB emulators' published, well-known key; real accounts always configure their own. */
export const EMULATOR_COSMOS_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

/** The app setting the Service Bus triggers and the publisher use for their connection string. */
export const SERVICE_BUS_CONNECTION_SETTING = 'ServiceBusConnection';

/**
 * The identity form of the same connection, as the Functions host reads it for the triggers:
 * `ServiceBusConnection__fullyQualifiedNamespace` (+ `__credential=managedidentity` and `__clientId`).
 */
export const SERVICE_BUS_NAMESPACE_SETTING = `${SERVICE_BUS_CONNECTION_SETTING}__fullyQualifiedNamespace`;

/** The one value the `__credential` settings take: the Functions host's name for a managed identity. */
const MANAGED_IDENTITY = 'managedidentity';

/** Deployment tools write booleans as True/False as often as true/false: any case is accepted. */
const booleanSetting = () =>
  z
    .string()
    .optional()
    .transform((value) => value?.trim().toLowerCase())
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }).optional())
    .transform((value) => (value === undefined ? undefined : ['true', '1', 'yes'].includes(value)));

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether this is a developer's run rather than a deployment: the demo-only switches (failure simulation,
 * seeding the catalog) default to on only then. Never on Azure (App Service and Functions always set
 * WEBSITE_SITE_NAME); otherwise local means the embedded host (it advertises EMBEDDED_SERVICEBUS_URL),
 * `func start` (Core Tools sets AZURE_FUNCTIONS_ENVIRONMENT=Development), or a Cosmos DB on this machine (the
 * emulators, the scripts against them).
 */
export function isLocalRun(env: NodeJS.ProcessEnv): boolean {
  if (env.WEBSITE_SITE_NAME) return false;
  if (env.EMBEDDED_SERVICEBUS_URL) return true;
  if (env.AZURE_FUNCTIONS_ENVIRONMENT?.trim().toLowerCase() === 'development') return true;
  try {
    return LOOPBACK_HOSTS.has(new URL(env.COSMOS_ENDPOINT ?? '').hostname);
  } catch {
    return false;
  }
}

const SettingsSchema = z.object({
  COSMOS_ENDPOINT: z.url({ message: 'must be the Cosmos DB account URL, e.g. http://localhost:8081' }),
  COSMOS_KEY: z.string().min(1).optional(),
  COSMOS_CREDENTIAL: z.literal(MANAGED_IDENTITY, { message: `must be ${MANAGED_IDENTITY} (or leave it unset and set COSMOS_KEY)` }).optional(),
  COSMOS_CLIENT_ID: z.string().min(1).optional(),
  COSMOS_DATABASE: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be a Cosmos DB database name').default('petstore'),
  COSMOS_PROVISION_CONTAINERS: z.string().optional(),
  [SERVICE_BUS_CONNECTION_SETTING]: z.string().min(1).optional(),
  ServiceBusConnection__fullyQualifiedNamespace: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'must be a host name such as my-namespace.servicebus.windows.net (no sb:// and no path)')
    .optional(),
  ServiceBusConnection__credential: z.literal(MANAGED_IDENTITY, { message: `must be ${MANAGED_IDENTITY}` }).optional(),
  ServiceBusConnection__clientId: z.string().min(1).optional(),
  EMBEDDED_SERVICEBUS_URL: z.url().optional(),
  ALLOW_FAILURE_SIMULATION: booleanSetting(),
  SEED_CATALOG_ON_START: booleanSetting(),
  PENDING_ORDER_REPUBLISH_AFTER_SECONDS: z.coerce.number().int().min(5).max(86_400).default(60),
  ORDER_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
  STUCK_SAGA_AFTER_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
});

/** Whole seconds that divide a minute, so the six-field schedule `*\/N * * * * *` fires evenly. */
const SWEEP_INTERVALS = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30] as const;

const SweepSettingsSchema = z.object({
  SAGA_SWEEP_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .refine((value) => (SWEEP_INTERVALS as readonly number[]).includes(value), { message: `must be one of ${SWEEP_INTERVALS.join(', ')}` })
    .default(30),
});

/**
 * The sweeper's timer schedule. Read when the function is registered, before the rest of the settings are
 * needed, so it has a reader of its own.
 */
export function sagaSweepSchedule(env: NodeJS.ProcessEnv = process.env): string {
  const value = env.SAGA_SWEEP_INTERVAL_SECONDS;
  const parsed = SweepSettingsSchema.safeParse(value === undefined || value === '' ? {} : { SAGA_SWEEP_INTERVAL_SECONDS: value });
  if (!parsed.success) {
    throw new ConfigurationError(`Invalid app settings: SAGA_SWEEP_INTERVAL_SECONDS: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  return `*/${parsed.data.SAGA_SWEEP_INTERVAL_SECONDS} * * * * *`;
}

/** How the app signs in to Cosmos DB: the account key, or an Entra ID identity (data-plane RBAC). */
export type CosmosCredentialSettings = { key: string } | { identity: { clientId?: string } };

export type CosmosConfig = CosmosCredentialSettings & {
  endpoint: string;
  database: string;
  /**
   * Create the database and containers when missing (emulators, the embedded host), or only check that they
   * exist (Azure: Bicep declares them, and data-plane RBAC cannot create them).
   */
  provisionContainers: boolean;
};

export type ServiceBusSettings =
  | { kind: 'namespace'; connectionString: string }
  | { kind: 'identity'; fullyQualifiedNamespace: string; clientId?: string }
  | { kind: 'embedded'; url: string }
  | { kind: 'none' };

export interface AppConfig {
  cosmos: CosmosConfig;
  serviceBus: ServiceBusSettings;
  allowFailureSimulation: boolean;
  seedCatalogOnStart: boolean;
  pendingOrderRepublishAfterSeconds: number;
  /** How long POST /api/orders waits for the broker to take OrderCreated before answering 202 anyway. */
  orderPublishTimeoutMs: number;
  /** A Processing order whose saga record has not changed for this long is looked at by the sweeper. */
  stuckSagaAfterSeconds: number;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Reads and validates every setting the app uses; a bad one fails fast with its name in the message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const blankAsMissing = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = SettingsSchema.safeParse(blankAsMissing);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigurationError(`Invalid app settings: ${problems}`);
  }
  const settings = parsed.data;
  const local = isLocalRun(blankAsMissing);
  const provisionContainers = booleanSetting().safeParse(settings.COSMOS_PROVISION_CONTAINERS);
  if (!provisionContainers.success) throw new ConfigurationError('Invalid app settings: COSMOS_PROVISION_CONTAINERS: must be true or false');
  return {
    cosmos: {
      ...cosmosCredential(settings, isLocalCosmosEndpoint(settings.COSMOS_ENDPOINT)),
      endpoint: settings.COSMOS_ENDPOINT,
      database: settings.COSMOS_DATABASE,
      provisionContainers: provisionContainers.data ?? isLocalCosmosEndpoint(settings.COSMOS_ENDPOINT),
    },
    serviceBus: serviceBusSettings(settings),
    allowFailureSimulation: settings.ALLOW_FAILURE_SIMULATION ?? local,
    seedCatalogOnStart: settings.SEED_CATALOG_ON_START ?? local,
    pendingOrderRepublishAfterSeconds: settings.PENDING_ORDER_REPUBLISH_AFTER_SECONDS,
    orderPublishTimeoutMs: settings.ORDER_PUBLISH_TIMEOUT_MS,
    stuckSagaAfterSeconds: settings.STUCK_SAGA_AFTER_SECONDS,
  };
}

type Settings = z.infer<typeof SettingsSchema>;

/**
 * A key, an identity, or (for an emulator only) the emulators' published key. A real account without either
 * stops start-up here, instead of failing every request later with a signature the account never accepts.
 */
function cosmosCredential(settings: Settings, local: boolean): CosmosCredentialSettings {
  if (settings.COSMOS_KEY && settings.COSMOS_CREDENTIAL) {
    throw new ConfigurationError('Invalid app settings: COSMOS_KEY and COSMOS_CREDENTIAL are both set; set one of them.');
  }
  if (settings.COSMOS_CREDENTIAL) return { identity: settings.COSMOS_CLIENT_ID ? { clientId: settings.COSMOS_CLIENT_ID } : {} };
  if (settings.COSMOS_KEY) return { key: settings.COSMOS_KEY };
  if (local) return { key: EMULATOR_COSMOS_KEY };
  throw new ConfigurationError(
    `Invalid app settings: COSMOS_ENDPOINT ${settings.COSMOS_ENDPOINT} is not a local emulator, so it needs a credential: ` +
      `set COSMOS_CREDENTIAL=${MANAGED_IDENTITY} (and COSMOS_CLIENT_ID for a user-assigned identity) or COSMOS_KEY. ` +
      "The emulators' well-known key is only used for local endpoints.",
  );
}

const ServiceBusSettingsSchema = SettingsSchema.pick({
  [SERVICE_BUS_CONNECTION_SETTING]: true,
  ServiceBusConnection__fullyQualifiedNamespace: true,
  ServiceBusConnection__credential: true,
  ServiceBusConnection__clientId: true,
  EMBEDDED_SERVICEBUS_URL: true,
});

/** Only the Service Bus settings, for tools that never touch Cosmos DB (`npm run dlq`). */
export function loadServiceBusSettings(env: NodeJS.ProcessEnv = process.env): ServiceBusSettings {
  const blankAsMissing = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = ServiceBusSettingsSchema.safeParse(blankAsMissing);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigurationError(`Invalid app settings: ${problems}`);
  }
  return serviceBusSettings(parsed.data);
}

/** A connection string wins over the identity form, as in the Functions host; the embedded broker comes last. */
function serviceBusSettings(settings: z.infer<typeof ServiceBusSettingsSchema>): ServiceBusSettings {
  const connectionString = settings[SERVICE_BUS_CONNECTION_SETTING];
  if (connectionString) return { kind: 'namespace', connectionString };
  const fullyQualifiedNamespace = settings.ServiceBusConnection__fullyQualifiedNamespace;
  if (fullyQualifiedNamespace) {
    const clientId = settings.ServiceBusConnection__clientId;
    return clientId ? { kind: 'identity', fullyQualifiedNamespace, clientId } : { kind: 'identity', fullyQualifiedNamespace };
  }
  if (settings.EMBEDDED_SERVICEBUS_URL) return { kind: 'embedded', url: settings.EMBEDDED_SERVICEBUS_URL };
  return { kind: 'none' };
}
