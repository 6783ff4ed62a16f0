// The Service Bus namespace with local (SAS) authentication off, and exactly the queues the emulator gets:
// they are read from servicebus/Config.json, so the two cannot drift apart. Standard tier, because
// duplicate detection (which the publishers rely on) needs it.
param name string
param location string
param tags object = {}

var emulatorConfig = loadJsonContent('../../servicebus/Config.json')
var queues = emulatorConfig.UserConfig.Namespaces[0].Queues

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [
  for entry in queues: {
    parent: namespace
    name: entry.Name
    properties: {
      maxDeliveryCount: entry.Properties.MaxDeliveryCount
      lockDuration: entry.Properties.LockDuration
      defaultMessageTimeToLive: entry.Properties.DefaultMessageTimeToLive
      deadLetteringOnMessageExpiration: entry.Properties.DeadLetteringOnMessageExpiration
      requiresDuplicateDetection: entry.Properties.RequiresDuplicateDetection
      duplicateDetectionHistoryTimeWindow: entry.Properties.DuplicateDetectionHistoryTimeWindow
      requiresSession: entry.Properties.RequiresSession
    }
  }
]

output name string = namespace.name
// serviceBusEndpoint is https://<name>.servicebus.windows.net:443/ (or the sovereign cloud's suffix).
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
