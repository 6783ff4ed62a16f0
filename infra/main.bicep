// PetStore Saga on Azure: `azd up` provisions everything below and deploys the app to it.
// Every connection is made with the app's user-assigned managed identity: no key, connection string or
// password is written to an app setting, and local authentication is off on every account that has it.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; it seeds the unique suffix of every resource name.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer Flex Consumption and, with durableBackend=scheduler, the Durable Task Scheduler.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the user (or service principal) running azd: granted data access for seeding, dead letters and the scheduler dashboard. Empty to skip.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Where Durable Functions keeps orchestration state: the Durable Task Scheduler, or the Functions storage account (Azure Storage provider).')
@allowed([
  'scheduler'
  'storage'
])
param durableBackend string = 'scheduler'

@description('Cosmos DB database the app uses (COSMOS_DATABASE).')
param cosmosDatabaseName string = 'petstore'

// Optional names; empty means a generated one.
param resourceGroupName string = ''
param apiServiceName string = ''
param apiUserAssignedIdentityName string = ''
param appServicePlanName string = ''
param applicationInsightsName string = ''
param logAnalyticsName string = ''
param storageAccountName string = ''
param cosmosAccountName string = ''
param serviceBusNamespaceName string = ''
param dtsName string = ''
param taskHubName string = ''

@description('Node.js version of the Flex Consumption runtime.')
param nodeVersion string = '22'

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = !empty(apiServiceName) ? apiServiceName : '${abbrs.webSitesFunctions}api-${resourceToken}'
// Letters and digits only, so the same name is valid for the scheduler and for the Azure Storage provider;
// one per environment, so apps sharing a storage account never share a task hub.
var taskHubResourceName = !empty(taskHubName) ? taskHubName : '${abbrs.durableTaskHubs}${resourceToken}'
var deploymentStorageContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'
var useScheduler = durableBackend == 'scheduler'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity './app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: !empty(apiUserAssignedIdentityName) ? apiUserAssignedIdentityName : '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring './app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: !empty(logAnalyticsName) ? logAnalyticsName : '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: !empty(applicationInsightsName) ? applicationInsightsName : '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage './app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentStorageContainerName
  }
}

module cosmos './app/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: !empty(cosmosAccountName) ? cosmosAccountName : '${abbrs.documentDBDatabaseAccounts}${resourceToken}'
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
  }
}

module serviceBus './app/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: !empty(serviceBusNamespaceName) ? serviceBusNamespaceName : '${abbrs.serviceBusNamespaces}${resourceToken}'
    location: location
    tags: tags
  }
}

module dts './app/dts.bicep' = if (useScheduler) {
  name: 'dts'
  scope: rg
  params: {
    name: !empty(dtsName) ? dtsName : '${abbrs.durableTaskSchedulers}${resourceToken}'
    taskHubName: taskHubResourceName
    location: location
    tags: tags
  }
}

module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    serviceBusNamespaceName: serviceBus.outputs.name
    dtsName: useScheduler ? dts.outputs.name : ''
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: !empty(appServicePlanName) ? appServicePlanName : '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    nodeVersion: nodeVersion
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentStorageContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    serviceBusNamespaceFqdn: serviceBus.outputs.fullyQualifiedNamespace
    dtsEndpoint: useScheduler ? dts.outputs.endpoint : ''
    taskHubName: taskHubResourceName
  }
  // The identity must hold its roles before the host starts and connects.
  dependsOn: [
    rbac
  ]
}

// azd stores these in the environment (`azd env get-values`): the seed and dead-letter scripts read them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output API_URL string = api.outputs.apiUrl
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = cosmos.outputs.databaseName
output ServiceBusConnection__fullyQualifiedNamespace string = serviceBus.outputs.fullyQualifiedNamespace
output DURABLE_BACKEND string = durableBackend
output TASKHUB_NAME string = taskHubResourceName
output DURABLE_TASK_SCHEDULER_ENDPOINT string = useScheduler ? dts.outputs.endpoint : ''
