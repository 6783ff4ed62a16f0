// Cosmos DB for NoSQL with local (key) authentication off. The database and containers are declared here,
// because data-plane RBAC, which the app uses, cannot create them; the app only checks that they exist
// (COSMOS_PROVISION_CONTAINERS=false). The containers must match SAGA_CONTAINER_DEFINITIONS in
// src/data/containers.ts: test/infra/bicep.test.ts compares the two.
param name string
param location string
param tags object = {}
param databaseName string
param appPrincipalId string
@description('Object id of the person running azd, for `npm run seed:db` with their own sign-in; empty to skip.')
param userPrincipalId string = ''

// Cosmos DB's default policy: every path indexed.
var defaultIndexing = {
  indexingMode: 'consistent'
  automatic: true
  includedPaths: [
    {
      path: '/*'
    }
  ]
  excludedPaths: []
}

var sagaContainers = [
  {
    name: 'orders'
    partitionKeyPath: '/id'
    // Listing pages by (createdAt, id), newest first: a two-field ORDER BY needs a composite index.
    indexingPolicy: union(defaultIndexing, {
      compositeIndexes: [
        [
          {
            path: '/createdAt'
            order: 'descending'
          }
          {
            path: '/id'
            order: 'descending'
          }
        ]
      ]
    })
  }
  {
    // Per product: the product document and one hold document per order; only docType is queried.
    name: 'inventory'
    partitionKeyPath: '/productId'
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        {
          path: '/docType/?'
        }
      ]
      excludedPaths: [
        {
          path: '/*'
        }
      ]
    }
  }
  {
    name: 'payments'
    partitionKeyPath: '/orderId'
    indexingPolicy: defaultIndexing
  }
  {
    name: 'shipments'
    partitionKeyPath: '/orderId'
    indexingPolicy: defaultIndexing
  }
  {
    name: 'sagas'
    partitionKeyPath: '/orderId'
    indexingPolicy: defaultIndexing
  }
  {
    // The choreography's create-once decision records.
    name: 'decisions'
    partitionKeyPath: '/orderId'
    indexingPolicy: defaultIndexing
  }
]

// Cosmos DB Built-in Data Contributor: read and write items; no management operations.
var dataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in sagaContainers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: {
          paths: [
            container.partitionKeyPath
          ]
          kind: 'Hash'
          version: 2
        }
        indexingPolicy: container.indexingPolicy
      }
    }
  }
]

resource appDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, appPrincipalId, dataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    principalId: appPrincipalId
    scope: account.id
  }
}

resource userDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = if (!empty(userPrincipalId)) {
  parent: account
  name: guid(account.id, userPrincipalId, dataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    principalId: userPrincipalId
    scope: account.id
  }
}

output name string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
