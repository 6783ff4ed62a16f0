import type { IndexingPolicy } from '@azure/cosmos';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { SAGA_CONTAINER_DEFINITIONS } from '../../src/data/containers';
import { settingsReadByConfig } from './app-settings';
import { arrayElements, BicepModule, lookup, objectEntries, references, stringLiteral } from './bicep';
import { readJson, repoPath } from './repo';

/**
 * No Bicep compiler runs here, so these tests read the Bicep text and check what can be checked without one:
 * every setting the app reads is in the Function App's settings and wired to the resource it names, that
 * resource is declared with local authentication off, the identity holds the data role on it, and the
 * declared containers and queues are the ones the app and the emulator use.
 */
const infra = (...segments: string[]) => new BicepModule(repoPath('infra', ...segments));
const main = infra('main.bicep');
const api = infra('app', 'api.bicep');
const cosmos = infra('app', 'cosmos.bicep');
const serviceBus = infra('app', 'servicebus.bicep');
const dts = infra('app', 'dts.bicep');
const rbac = infra('app', 'rbac.bicep');
const storage = infra('app', 'storage.bicep');
const monitoring = infra('app', 'monitoring.bicep');
const identity = infra('app', 'identity.bicep');

const appSettings = objectEntries(api.variable('appSettings').value);
const schedulerSettings = objectEntries(api.variable('schedulerSettings').value);
const allSettings = new Map([...appSettings, ...schedulerSettings]);

/** Settings the Functions host reads for itself (storage, telemetry, the runtime, the Durable backend). */
function isHostSetting(name: string): boolean {
  return (
    /^(FUNCTIONS_|AzureWebJobsStorage__|APPLICATIONINSIGHTS_|ServiceBusConnection__|AzureFunctionsJobHost__extensions__durableTask__)/.test(name) ||
    ['DURABLE_TASK_SCHEDULER_CONNECTION_STRING', 'TASKHUB_NAME'].includes(name)
  );
}

/** Settings src/config.ts reads that have no place on Azure, and why. */
const NOT_ON_AZURE: Record<string, string> = {
  COSMOS_KEY: 'a secret: the app uses its identity (COSMOS_CREDENTIAL)',
  ServiceBusConnection: 'a connection string holds a key: the identity form is used',
  EMBEDDED_SERVICEBUS_URL: 'set by the embedded host only',
};

/** Which module of main.bicep a file under infra/app is. */
function moduleFor(file: string) {
  const found = main.all('module').find((m) => path.resolve(repoPath('infra'), m.path) === repoPath('infra', 'app', file));
  if (!found) throw new Error(`main.bicep does not use app/${file}`);
  return found;
}

/** What main.bicep passes to a module's parameter. */
function argument(file: string, param: string): string {
  const value = lookup(moduleFor(file).body, `params.${param}`);
  if (value === undefined) throw new Error(`main.bicep passes no ${param} to app/${file}`);
  return value;
}

/** `module.outputs.name` references in an expression, as [module symbol, output name]. */
function outputReferences(expression: string): [string, string][] {
  return [...expression.replace(/'[^']*'/g, '').matchAll(/(\w+)\.outputs\.(\w+)/g)].map((m) => [m[1], m[2]]);
}

/** Follows an app setting of api.bicep to the resource types it is computed from, across modules. */
function resourceTypesBehind(setting: string): string[] {
  const value = allSettings.get(setting);
  if (value === undefined) throw new Error(`api.bicep sets no ${setting}`);
  const types = new Set<string>();
  for (const name of references(value)) {
    const declaration = api.declarations.find((d) => 'name' in d && d.name === name);
    if (declaration?.kind === 'resource') types.add(declaration.type);
    if (declaration?.kind !== 'param') continue;
    for (const [moduleName, outputName] of outputReferences(argument('api.bicep', name))) {
      const module = main.module(moduleName);
      const source = infra(...module.path.replace(/^\.\//, '').split('/'));
      for (const ref of references(source.output(outputName).value)) {
        const resource = source.all('resource').find((r) => r.name === ref);
        if (resource) types.add(resource.type);
      }
    }
  }
  return [...types];
}

describe('azure.yaml', () => {
  const yaml = readFileSync(repoPath('azure.yaml'), 'utf8');

  it('deploys the api service as a function app from the staged production package', () => {
    expect(yaml).toMatch(/^services:\n {2}api:\n/m);
    expect(yaml).toMatch(/^ {4}host: function$/m);
    expect(yaml).toMatch(/^ {4}language: js$/m);
    expect(yaml).toMatch(/^ {4}dist: \.deploy$/m);
    expect(yaml).toMatch(/^ {4}remoteBuild: false$/m);
    expect(yaml.match(/run: npm run package:azure$/gm)).toHaveLength(2); // posix and windows
    const pkg = readJson(repoPath('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['package:azure']).toContain('dist/scripts/package-azure.js');
  });

  it('tags the Function App with the service name azd deploys to', () => {
    expect(lookup(api.resource('api').body, 'tags')).toContain("'azd-service-name': 'api'");
  });
});

describe('infra/main.bicep', () => {
  it('is a subscription deployment with parameters for the environment, the region and every name', () => {
    expect(main.all('targetScope')[0]?.value).toBe("'subscription'");
    expect(main.param('environmentName').type).toBe('string');
    expect(main.param('location').text).toContain("type: 'location'");
    for (const name of ['resourceGroupName', 'apiServiceName', 'storageAccountName', 'cosmosAccountName', 'serviceBusNamespaceName', 'dtsName', 'taskHubName']) {
      expect(main.param(name).defaultValue, name).toBe("''");
    }
    const parameters = readJson(repoPath('infra', 'main.parameters.json')) as { parameters: Record<string, { value: string }> };
    expect(parameters.parameters.location.value).toBe('${AZURE_LOCATION}');
    expect(parameters.parameters.environmentName.value).toBe('${AZURE_ENV_NAME}');
  });

  it('uses every module file under infra/app, and they exist', () => {
    for (const module of main.all('module')) expect(existsSync(path.resolve(repoPath('infra'), module.path)), module.path).toBe(true);
    expect(main.all('module').map((m) => m.path).sort()).toEqual(
      ['api', 'cosmos', 'dts', 'identity', 'monitoring', 'rbac', 'servicebus', 'storage'].map((name) => `./app/${name}.bicep`),
    );
  });

  it('outputs the API URL', () => {
    expect(main.output('API_URL').value).toBe('api.outputs.apiUrl');
    expect(api.output('apiUrl').value).toBe("'https://${api.properties.defaultHostName}/api'");
  });

  it('deploys Node 22 on Flex Consumption as the user-assigned identity', () => {
    expect(stringLiteral(main.param('nodeVersion').defaultValue)).toBe('22');
    expect(argument('api.bicep', 'nodeVersion')).toBe('nodeVersion');
    const site = api.resource('api');
    expect(site.type).toBe('Microsoft.Web/sites');
    expect(lookup(site.body, 'properties.functionAppConfig.runtime.name')).toBe("'node'");
    expect(lookup(site.body, 'properties.functionAppConfig.runtime.version')).toBe('nodeVersion');
    expect(lookup(site.body, 'identity.type')).toBe("'UserAssigned'");
    expect(lookup(api.resource('plan').body, 'sku.tier')).toBe("'FlexConsumption'");
    expect(lookup(site.body, 'properties.functionAppConfig.deployment.storage.authentication.type')).toBe("'UserAssignedIdentity'");
    expect(argument('api.bicep', 'identityId')).toBe('identity.outputs.resourceId');
    expect(identity.resource('identity').type).toBe('Microsoft.ManagedIdentity/userAssignedIdentities');
  });
});

describe('the Function App settings (infra/app/api.bicep)', () => {
  it('are exactly the settings src/config.ts reads, plus the host’s own', () => {
    const read = settingsReadByConfig();
    const appPart = [...allSettings.keys()].filter((name) => read.includes(name) || !isHostSetting(name)).sort();
    const expected = read.filter((name) => !(name in NOT_ON_AZURE)).sort();
    expect(appPart).toEqual(expected);
    for (const name of Object.keys(NOT_ON_AZURE)) expect(read, `${name} is no longer read; drop it from NOT_ON_AZURE`).toContain(name);
  });

  it('hold no secret: no key, password or connection string with a key, and nothing read from a resource’s keys', () => {
    for (const [name, value] of allSettings) {
      expect(name, name).not.toMatch(/KEY|PASSWORD|SECRET/i);
      expect(value, name).not.toMatch(/listKeys|listConnectionStrings|primaryKey|secondaryKey|SharedAccessKey|AccountKey=|@secure/i);
    }
    expect(api.all('param').filter((p) => p.text.includes('@secure'))).toEqual([]);
  });

  it('turn on FUNCTIONS_NODE_BLOCK_ON_ENTRY_POINT_ERROR and turn off failure simulation and catalog seeding', () => {
    expect(stringLiteral(appSettings.get('FUNCTIONS_NODE_BLOCK_ON_ENTRY_POINT_ERROR'))).toBe('true');
    expect(stringLiteral(appSettings.get('ALLOW_FAILURE_SIMULATION'))).toBe('false');
    expect(stringLiteral(appSettings.get('SEED_CATALOG_ON_START'))).toBe('false');
    expect(allSettings.has('FUNCTIONS_WORKER_RUNTIME')).toBe(false); // Flex Consumption rejects it: the runtime is in functionAppConfig
  });

  it('are accepted by loadConfig with the values Bicep gives them', () => {
    const values: Record<string, string> = {};
    for (const [name, value] of appSettings) values[name] = stringLiteral(value) ?? `placeholder-for-${name}`;
    values.COSMOS_ENDPOINT = 'https://cosmos-x.documents.azure.com:443/';
    values.ServiceBusConnection__fullyQualifiedNamespace = 'sb-x.servicebus.windows.net';
    const config = loadConfig(values);
    expect(config.cosmos).toMatchObject({ identity: { clientId: 'placeholder-for-COSMOS_CLIENT_ID' }, provisionContainers: false });
    expect(config.serviceBus).toEqual({ kind: 'identity', fullyQualifiedNamespace: 'sb-x.servicebus.windows.net', clientId: 'placeholder-for-ServiceBusConnection__clientId' });
  });

  it.each([
    ['COSMOS_ENDPOINT', 'Microsoft.DocumentDB/databaseAccounts'],
    ['COSMOS_DATABASE', 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases'],
    ['ServiceBusConnection__fullyQualifiedNamespace', 'Microsoft.ServiceBus/namespaces'],
    ['DURABLE_TASK_SCHEDULER_CONNECTION_STRING', 'Microsoft.DurableTask/schedulers'],
    ['AzureWebJobsStorage__blobServiceUri', 'Microsoft.Storage/storageAccounts'],
    ['AzureWebJobsStorage__queueServiceUri', 'Microsoft.Storage/storageAccounts'],
    ['AzureWebJobsStorage__tableServiceUri', 'Microsoft.Storage/storageAccounts'],
    ['APPLICATIONINSIGHTS_CONNECTION_STRING', 'Microsoft.Insights/components'],
    ['COSMOS_CLIENT_ID', 'Microsoft.ManagedIdentity/userAssignedIdentities'],
    ['ServiceBusConnection__clientId', 'Microsoft.ManagedIdentity/userAssignedIdentities'],
    ['AzureWebJobsStorage__clientId', 'Microsoft.ManagedIdentity/userAssignedIdentities'],
  ])('%s comes from the %s declared for it', (setting, type) => {
    expect(resourceTypesBehind(setting)).toContain(type);
  });

  it('sign in with the identity everywhere', () => {
    for (const name of ['AzureWebJobsStorage__credential', 'ServiceBusConnection__credential', 'COSMOS_CREDENTIAL']) {
      expect(stringLiteral(appSettings.get(name)), name).toBe('managedidentity');
    }
    expect(appSettings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe("'ClientId=${identityClientId};Authorization=AAD'");
    expect(schedulerSettings.get('DURABLE_TASK_SCHEDULER_CONNECTION_STRING')).toBe("'Endpoint=${dtsEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'");
    expect(argument('api.bicep', 'identityClientId')).toBe('identity.outputs.clientId');
  });

  it('switch the Durable extension to the scheduler only when one is deployed, and name the task hub per environment', () => {
    expect(stringLiteral(schedulerSettings.get('AzureFunctionsJobHost__extensions__durableTask__storageProvider__type'))).toBe('azureManaged');
    expect(stringLiteral(schedulerSettings.get('AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName'))).toBe(
      'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
    );
    expect(lookup(api.resource('settings').body, 'properties')).toBe('union(appSettings, empty(dtsEndpoint) ? {} : schedulerSettings)');
    expect(argument('api.bicep', 'dtsEndpoint')).toBe("useScheduler ? dts.outputs.endpoint : ''");
    expect(main.module('dts').condition).toBe('useScheduler');
    expect(appSettings.get('TASKHUB_NAME')).toBe('taskHubName');
    expect(argument('api.bicep', 'taskHubName')).toBe('taskHubResourceName');
    expect(argument('dts.bicep', 'taskHubName')).toBe('taskHubResourceName');
    expect(main.variable('taskHubResourceName').value).toContain('resourceToken');
    expect(lookup(dts.resource('taskHub').body, 'name')).toBe('taskHubName');
  });
});

describe('local authentication is off on every resource that has it', () => {
  it.each([
    ['Cosmos DB', cosmos.resource('account').body, 'properties.disableLocalAuth', 'true'],
    ['Service Bus', serviceBus.resource('namespace').body, 'properties.disableLocalAuth', 'true'],
    ['Storage', storage.resource('storage').body, 'properties.allowSharedKeyAccess', 'false'],
    ['Application Insights', monitoring.resource('applicationInsights').body, 'properties.DisableLocalAuth', 'true'],
  ])('%s', (_name, body, property, value) => {
    expect(lookup(body, property)).toBe(value);
  });
});

describe('Cosmos DB (infra/app/cosmos.bicep)', () => {
  it('declares exactly the containers of SAGA_CONTAINER_DEFINITIONS, with their partition keys', () => {
    const declared = arrayElements(cosmos.variable('sagaContainers').value).map((element) => ({
      id: stringLiteral(lookup(element, 'name')),
      partitionKeyPath: stringLiteral(lookup(element, 'partitionKeyPath')),
    }));
    const expected = Object.values(SAGA_CONTAINER_DEFINITIONS).map(({ id, partitionKeyPath }) => ({ id, partitionKeyPath }));
    const byId = (a: { id?: string }, b: { id?: string }) => String(a.id).localeCompare(String(b.id));
    expect(declared.sort(byId)).toEqual([...expected].sort(byId));
    const containers = cosmos.resource('containers');
    expect(containers.loop).toBe('container in sagaContainers');
    expect(lookup(containers.body, 'properties.resource.partitionKey.paths')).toMatch(/^\[\s*container\.partitionKeyPath\s*\]$/);
  });

  it('gives each container the indexing policy of its definition: the orders composite index, the inventory paths', () => {
    const paths = (text: string) => [...text.matchAll(/path:\s*'([^']*)'(?:\s*order:\s*'([^']*)')?/g)].map((m) => `${m[1]} ${m[2] ?? ''}`.trim()).sort();
    const wanted = (policy: IndexingPolicy) =>
      [
        ...(policy.includedPaths ?? []).map((entry) => entry.path),
        ...(policy.excludedPaths ?? []).map((entry) => entry.path),
        ...(policy.compositeIndexes ?? []).flat().map((entry) => `${entry.path} ${entry.order ?? ''}`.trim()),
      ].sort();
    const defaults = cosmos.variable('defaultIndexing').value;
    for (const element of arrayElements(cosmos.variable('sagaContainers').value)) {
      const id = stringLiteral(lookup(element, 'name'));
      const definition = Object.values(SAGA_CONTAINER_DEFINITIONS).find((entry) => entry.id === id);
      const declared = lookup(element, 'indexingPolicy') ?? '';
      const text = declared.replace(/\bdefaultIndexing\b/, defaults);
      const policy = definition && 'indexingPolicy' in definition ? (definition.indexingPolicy as IndexingPolicy) : undefined;
      const expected = wanted(policy ?? {});
      // A policy that only adds composite indexes keeps the default paths, in Bicep as in Cosmos DB.
      if (!policy?.includedPaths) expected.push(...paths(defaults));
      expect(paths(text), `${id}: ${declared}`).toEqual(expected.sort());
    }
    expect(lookup(cosmos.resource('containers').body, 'properties.resource.indexingPolicy')).toBe('container.indexingPolicy');
  });

  it('names the database the app expects by default', () => {
    expect(stringLiteral(main.param('cosmosDatabaseName').defaultValue)).toBe(loadConfig({ COSMOS_ENDPOINT: 'http://localhost:8081' }).cosmos.database);
    expect(argument('cosmos.bicep', 'databaseName')).toBe('cosmosDatabaseName');
  });

  it("gives the app's identity the built-in Data Contributor role on the account", () => {
    const assignment = cosmos.resource('appDataContributor');
    expect(assignment.type).toBe('Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments');
    expect(cosmos.variable('dataContributorRoleId').value).toBe("'00000000-0000-0000-0000-000000000002'");
    expect(lookup(assignment.body, 'properties.principalId')).toBe('appPrincipalId');
    expect(lookup(assignment.body, 'properties.roleDefinitionId')).toContain('dataContributorRoleId');
    expect(argument('cosmos.bicep', 'appPrincipalId')).toBe('identity.outputs.principalId');
  });
});

describe('Service Bus (infra/app/servicebus.bicep)', () => {
  interface EmulatorConfig {
    UserConfig: { Namespaces: { Queues: { Name: string; Properties: Record<string, unknown> }[]; Topics: unknown[] }[] };
  }
  const emulator = readJson(repoPath('servicebus', 'Config.json')) as EmulatorConfig;

  it('creates its queues from servicebus/Config.json itself, so every queue there exists on Azure', () => {
    const load = serviceBus.variable('emulatorConfig').value;
    const file = /^loadJsonContent\('([^']+)'\)$/.exec(load)?.[1];
    expect(file && path.resolve(repoPath('infra', 'app'), file)).toBe(repoPath('servicebus', 'Config.json'));
    expect(serviceBus.variable('queues').value).toBe('emulatorConfig.UserConfig.Namespaces[0].Queues');
    expect(serviceBus.resource('queue').loop).toBe('entry in queues');
    expect(lookup(serviceBus.resource('queue').body, 'name')).toBe('entry.Name');
    // One namespace and no topics: the Bicep reads only the first namespace's queues.
    expect(emulator.UserConfig.Namespaces).toHaveLength(1);
    expect(emulator.UserConfig.Namespaces[0].Topics).toEqual([]);
  });

  it('gives each queue every property Config.json sets, under the ARM name', () => {
    const properties = objectEntries(lookup(serviceBus.resource('queue').body, 'properties') ?? '{}');
    const used = new Set(emulator.UserConfig.Namespaces[0].Queues.flatMap((queue) => Object.keys(queue.Properties)));
    for (const property of used) {
      const armName = property[0].toLowerCase() + property.slice(1);
      expect(properties.get(armName), property).toBe(`entry.Properties.${property}`);
    }
    expect(properties.size).toBe(used.size);
  });

  it('uses a tier with duplicate detection', () => {
    expect(lookup(serviceBus.resource('namespace').body, 'sku.name')).toBe("'Standard'");
  });
});

describe('roles (infra/app/rbac.bicep)', () => {
  const roles = objectEntries(rbac.variable('roles').value);
  const assignments = rbac.resourcesOfType('Microsoft.Authorization/roleAssignments');
  /** The assignments to the app's identity, as "scope symbol: role key". */
  const appRoles = assignments
    .filter((a) => lookup(a.body, 'properties.principalId') === 'appPrincipalId')
    .map((a) => `${lookup(a.body, 'scope')}: ${/roles\.(\w+)\)/.exec(lookup(a.body, 'properties.roleDefinitionId') ?? '')?.[1]}`);

  it.each([
    ['serviceBus', 'serviceBusDataSender', '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39', 'Microsoft.ServiceBus/namespaces'],
    ['serviceBus', 'serviceBusDataReceiver', '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0', 'Microsoft.ServiceBus/namespaces'],
    ['scheduler', 'durableTaskDataContributor', '0ad04412-c4d5-4796-b79c-f76d14c8d402', 'Microsoft.DurableTask/schedulers'],
    ['storage', 'storageBlobDataOwner', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', 'Microsoft.Storage/storageAccounts'],
    ['storage', 'storageQueueDataContributor', '974c5e8b-45b9-4653-ba55-5f855dd0fb88', 'Microsoft.Storage/storageAccounts'],
    ['storage', 'storageTableDataContributor', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', 'Microsoft.Storage/storageAccounts'],
    ['applicationInsights', 'monitoringMetricsPublisher', '3913510d-42f4-4e42-8a64-420c390055eb', 'Microsoft.Insights/components'],
  ])('the app holds %s %s (%s)', (scope, role, roleId, type) => {
    expect(stringLiteral(roles.get(role))).toBe(roleId);
    expect(appRoles).toContain(`${scope}: ${role}`);
    expect(rbac.resource(scope).type).toBe(type);
  });

  it('are granted to the identity the app runs as, on the resources the app uses', () => {
    expect(argument('rbac.bicep', 'appPrincipalId')).toBe('identity.outputs.principalId');
    expect(argument('rbac.bicep', 'serviceBusNamespaceName')).toBe('serviceBus.outputs.name');
    expect(argument('rbac.bicep', 'storageAccountName')).toBe('storage.outputs.name');
    expect(argument('rbac.bicep', 'dtsName')).toBe("useScheduler ? dts.outputs.name : ''");
    // The app starts only once its roles are in place.
    expect(lookup(main.module('api').text.slice(main.module('api').text.indexOf('{')), 'dependsOn')).toMatch(/rbac/);
  });
});
