import { app } from '@azure/functions';
import { handleOrderEvent } from '../choreography/order-participant';
import { participantFunction } from '../choreography/participant-function';
import { SERVICE_BUS_CONNECTION_SETTING } from '../config';
import { ORDER_EVENTS_QUEUE } from '../messaging/queues';

/** The order participant: keeps the saga record and the order status in step with the events. */
export const choreographyOrder = participantFunction(handleOrderEvent);

app.serviceBusQueue('choreographyOrder', {
  connection: SERVICE_BUS_CONNECTION_SETTING,
  queueName: ORDER_EVENTS_QUEUE,
  handler: choreographyOrder,
});
