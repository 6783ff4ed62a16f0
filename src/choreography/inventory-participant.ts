import type { Delivery } from './delivery';
import { runCompensation } from './compensation';
import { runForwardStep } from './forward-step';
import type { InventoryParticipantDeps } from './participant-ports';
import { react, reject, type Reactions } from './reactions';

/**
 * Inventory (queue inventory-events) starts the saga by reserving stock, and ends every compensation
 * chain by releasing it: after its own failed reservation, and after the payment was refunded.
 */
export const inventoryReactions: Reactions<InventoryParticipantDeps> = {
  OrderCreated: (deps, event, delivery) => {
    if (event.data.sagaStyle !== 'choreography') {
      reject('inventory', delivery, `order ${event.orderId} runs as ${event.data.sagaStyle}, not choreography`);
    }
    return runForwardStep(deps, delivery, event, 'ReserveInventory', async (order) => {
      const reserved = await deps.inventory.reserve(order);
      return reserved.ok ? { ok: true, value: { items: reserved.value.items } } : reserved;
    });
  },
  InventoryReservationFailed: (deps, event, delivery) =>
    runCompensation(deps, delivery, event, 'ReleaseInventory', (order) => deps.inventory.release(order)),
  PaymentRefunded: (deps, event, delivery) =>
    runCompensation(deps, delivery, event, 'ReleaseInventory', (order) => deps.inventory.release(order)),
};

export function handleInventoryEvent(deps: InventoryParticipantDeps, delivery: Delivery): Promise<void> {
  return react('inventory', inventoryReactions, deps, delivery);
}
