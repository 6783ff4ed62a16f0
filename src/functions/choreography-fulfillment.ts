import { app } from '@azure/functions';
import { handleFulfillmentEvent } from '../choreography/fulfillment-participant';
import { participantFunction } from '../choreography/participant-function';
import { SERVICE_BUS_CONNECTION_SETTING } from '../config';
import { FULFILLMENT_EVENTS_QUEUE } from '../messaging/queues';

/** The fulfilment participant of the choreographed saga: ships, cancels the shipment on compensation. */
export const choreographyFulfillment = participantFunction(handleFulfillmentEvent);

app.serviceBusQueue('choreographyFulfillment', {
  connection: SERVICE_BUS_CONNECTION_SETTING,
  queueName: FULFILLMENT_EVENTS_QUEUE,
  handler: choreographyFulfillment,
});
