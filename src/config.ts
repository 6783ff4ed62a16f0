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
const booleanSetting = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value) => value?.trim().toLowerCase())
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }).optional())
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

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
  ALLOW_FAILURE_SIMULATION: booleanSetting(true),
  SEED_CATALOG_ON_START: booleanSetting(true),
  PENDING_ORDER_REPUBLISH_AFTER_SECONDS: z.coerce.number().int().min(5).max(86_400).default(60),
});

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
  const local = isLocalCosmosEndpoint(settings.COSMOS_ENDPOINT);
  const provisionContainers = booleanSetting(local).safeParse(settings.COSMOS_PROVISION_CONTAINERS);
  if (!provisionContainers.success) throw new ConfigurationError('Invalid app settings: COSMOS_PROVISION_CONTAINERS: must be true or false');
  return {
    cosmos: {
      ...cosmosCredential(settings, local),
      endpoint: settings.COSMOS_ENDPOINT,
      database: settings.COSMOS_DATABASE,
      provisionContainers: provisionContainers.data,
    },
    serviceBus: serviceBusSettings(settings),
    allowFailureSimulation: settings.ALLOW_FAILURE_SIMULATION,
    seedCatalogOnStart: settings.SEED_CATALOG_ON_START,
    pendingOrderRepublishAfterSeconds: settings.PENDING_ORDER_REPUBLISH_AFTER_SECONDS,
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
