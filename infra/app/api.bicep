// The Function App: Flex Consumption, Linux, Node.js, running as the user-assigned identity.
// Its app settings name resources and the identity's client id, never a secret. The names the app reads
// must be exactly those src/config.ts reads (test/infra/bicep.test.ts checks it).
param name string
param planName string
param location string
param tags object = {}
param nodeVersion string
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param cosmosEndpoint string
param cosmosDatabaseName string
param serviceBusNamespaceFqdn string
@description('The Durable Task Scheduler endpoint; empty keeps the task hub in the storage account.')
param dtsEndpoint string = ''
param taskHubName string
param maximumInstanceCount int = 40
param instanceMemoryMB int = 2048

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource api 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

// The host's own settings and the app's (src/config.ts). Flex Consumption takes the runtime from
// functionAppConfig, so FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not app settings here.
var appSettings = {
  // Fail the start when a function file throws while loading, instead of running without its functions.
  FUNCTIONS_NODE_BLOCK_ON_ENTRY_POINT_ERROR: 'true'
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  // The connection string of a component without local auth holds no secret; the identity signs the telemetry.
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  TASKHUB_NAME: taskHubName
  COSMOS_ENDPOINT: cosmosEndpoint
  COSMOS_CREDENTIAL: 'managedidentity'
  COSMOS_CLIENT_ID: identityClientId
  COSMOS_DATABASE: cosmosDatabaseName
  // Declared in cosmos.bicep; the app only checks that they exist.
  COSMOS_PROVISION_CONTAINERS: 'false'
  // The triggers (Functions host) and the publisher (src/messaging) both read this identity form.
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusNamespaceFqdn
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  ALLOW_FAILURE_SIMULATION: 'false'
  SEED_CATALOG_ON_START: 'false'
  PENDING_ORDER_REPUBLISH_AFTER_SECONDS: '60'
  ORDER_PUBLISH_TIMEOUT_MS: '3000'
  STUCK_SAGA_AFTER_SECONDS: '300'
  SAGA_SWEEP_INTERVAL_SECONDS: '30'
}

// host.json keeps the Azure Storage provider (what `func start` uses with Azurite); these settings switch the
// Durable extension to the Durable Task Scheduler, as AzureFunctionsJobHost__* settings override host.json.
var schedulerSettings = {
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${dtsEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: api
  name: 'appsettings'
  properties: union(appSettings, empty(dtsEndpoint) ? {} : schedulerSettings)
}

output name string = api.name
output apiUrl string = 'https://${api.properties.defaultHostName}/api'
