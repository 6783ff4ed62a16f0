import { app } from '@azure/functions';
import { handlePaymentEvent } from '../choreography/payment-participant';
import { participantFunction } from '../choreography/participant-function';
import { SERVICE_BUS_CONNECTION_SETTING } from '../config';
import { PAYMENT_EVENTS_QUEUE } from '../messaging/queues';

/** The payment participant of the choreographed saga: charges, refunds on compensation. */
export const choreographyPayment = participantFunction(handlePaymentEvent);

app.serviceBusQueue('choreographyPayment', {
  connection: SERVICE_BUS_CONNECTION_SETTING,
  queueName: PAYMENT_EVENTS_QUEUE,
  handler: choreographyPayment,
});
