import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getAppServices } from '../app-services';
import type { AppConfig } from '../config';
import type { OrderService } from '../services/order-service';

export interface RepublishServices {
  orders: Pick<OrderService, 'republishPendingOrders'>;
  config: Pick<AppConfig, 'pendingOrderRepublishAfterSeconds'>;
}

/**
 * Every 30 s, sends OrderCreated again for orders still Pending after PENDING_ORDER_REPUBLISH_AFTER_SECONDS,
 * so an order accepted while the broker was unreachable still reaches a final status.
 */
export function republishPendingOrdersHandler(getServices: () => Promise<RepublishServices>) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const { orders, config } = await getServices();
    const republished = await orders.republishPendingOrders(config.pendingOrderRepublishAfterSeconds);
    if (republished > 0) context.log(`Republished OrderCreated for ${republished} pending order(s)`);
  };
}

app.timer('republishPendingOrders', {
  schedule: '*/30 * * * * *',
  handler: republishPendingOrdersHandler(getAppServices),
});
