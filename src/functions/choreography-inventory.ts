import { app } from '@azure/functions';
import { handleInventoryEvent } from '../choreography/inventory-participant';
import { participantFunction } from '../choreography/participant-function';
import { SERVICE_BUS_CONNECTION_SETTING } from '../config';
import { INVENTORY_EVENTS_QUEUE } from '../messaging/queues';

/** The inventory participant of the choreographed saga: reserves stock, releases it on compensation. */
export const choreographyInventory = participantFunction(handleInventoryEvent);

app.serviceBusQueue('choreographyInventory', {
  connection: SERVICE_BUS_CONNECTION_SETTING,
  queueName: INVENTORY_EVENTS_QUEUE,
  handler: choreographyInventory,
});
