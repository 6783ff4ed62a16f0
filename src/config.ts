import { z } from 'zod';

/** The Cosmos DB emulators' published, well-known key; real accounts always configure their own. */
export const EMULATOR_COSMOS_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

/** The app setting the Service Bus triggers and the publisher use for their connection string. */
export const SERVICE_BUS_CONNECTION_SETTING = 'ServiceBusConnection';

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
  COSMOS_DATABASE: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be a Cosmos DB database name').default('petstore'),
  [SERVICE_BUS_CONNECTION_SETTING]: z.string().min(1).optional(),
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

export interface AppConfig {
  cosmos: { endpoint: string; key: string; database: string };
  serviceBus: { kind: 'namespace'; connectionString: string } | { kind: 'embedded'; url: string } | { kind: 'none' };
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
  const connectionString = settings[SERVICE_BUS_CONNECTION_SETTING];
  return {
    cosmos: {
      endpoint: settings.COSMOS_ENDPOINT,
      key: settings.COSMOS_KEY ?? EMULATOR_COSMOS_KEY,
      database: settings.COSMOS_DATABASE,
    },
    serviceBus: connectionString
      ? { kind: 'namespace', connectionString }
      : settings.EMBEDDED_SERVICEBUS_URL
        ? { kind: 'embedded', url: settings.EMBEDDED_SERVICEBUS_URL }
        : { kind: 'none' },
    allowFailureSimulation: settings.ALLOW_FAILURE_SIMULATION ?? local,
    seedCatalogOnStart: settings.SEED_CATALOG_ON_START ?? local,
    pendingOrderRepublishAfterSeconds: settings.PENDING_ORDER_REPUBLISH_AFTER_SECONDS,
    orderPublishTimeoutMs: settings.ORDER_PUBLISH_TIMEOUT_MS,
    stuckSagaAfterSeconds: settings.STUCK_SAGA_AFTER_SECONDS,
  };
}
