import type { FailureSimulation, SagaStyle } from '../../src/domain';
import type { DemoOrderRequest } from '../lib/demo-orders';
import type { SeededRandom } from './random';

/** How an order is meant to go; faults may still turn a `succeeds` order into a cancelled one. */
export type OrderIntent =
  | 'succeeds'
  | 'hot-product'
  | 'out-of-stock'
  | 'declined-card'
  | 'undeliverable'
  | 'over-limit'
  | `simulate-${FailureSimulation}`;

/** Intents whose order can never complete, whatever the faults do. */
export const NEVER_COMPLETES: ReadonlySet<OrderIntent> = new Set<OrderIntent>([
  'out-of-stock',
  'declined-card',
  'undeliverable',
  'over-limit',
  'simulate-inventory',
  'simulate-payment',
  'simulate-fulfillment',
  'simulate-refund',
]);

export interface PlannedOrder {
  /** Position in the run; also the Idempotency-Key's suffix. */
  index: number;
  style: SagaStyle;
  intent: OrderIntent;
  idempotencyKey: string;
  /** How many identical requests are sent at once (a client that retries before the first answer). */
  copies: number;
  body: DemoOrderRequest;
}

/** Plenty of stock and cheap: these only fail when the plan or a fault says so. */
const COLD_PRODUCTS = ['dog-food-5kg', 'cat-food-2kg', 'dog-leash', 'hamster-wheel', 'cat-tree', 'bird-cage'];
/** Ten units at 4,999: orders race for it, and two of them cross the payment limit. */
const HOT_PRODUCT = 'premium-aquarium';
const SOLD_OUT_PRODUCT = 'rare-parrot-perch';

const INTENT_WEIGHTS: Readonly<Record<OrderIntent, number>> = {
  succeeds: 46,
  'hot-product': 14,
  'out-of-stock': 4,
  'declined-card': 6,
  undeliverable: 6,
  'over-limit': 4,
  'simulate-inventory': 4,
  'simulate-payment': 6,
  'simulate-fulfillment': 6,
  'simulate-refund': 4,
};

const GOOD_CARD = '4242424242424242';
const DECLINED_CARD = '4000000000000002';

export interface WorkloadOptions {
  orders: number;
  styles: readonly SagaStyle[];
  /** Share of orders sent as two concurrent identical requests. */
  duplicateShare: number;
  runId: string;
}

/** The orders of a run, all drawn from `random`: the same seed and options give the same orders. */
export function planWorkload(random: SeededRandom, options: WorkloadOptions): PlannedOrder[] {
  return Array.from({ length: options.orders }, (_, index) => {
    const style = random.pick(options.styles);
    const intent = random.weighted(INTENT_WEIGHTS);
    const copies = random.chance(options.duplicateShare) ? 2 : 1;
    const coldLines = random.integer(1, 2);
    const cold = Array.from(new Set(Array.from({ length: coldLines }, () => random.pick(COLD_PRODUCTS))));
    const items = cold.map((productId) => ({ productId, quantity: random.integer(1, 3) }));
    if (intent === 'hot-product') items.push({ productId: HOT_PRODUCT, quantity: 1 });
    if (intent === 'over-limit') items.push({ productId: HOT_PRODUCT, quantity: 3 });
    if (intent === 'out-of-stock') items.push({ productId: SOLD_OUT_PRODUCT, quantity: 1 });
    const simulateFailure = intent.startsWith('simulate-') ? (intent.slice('simulate-'.length) as FailureSimulation) : undefined;
    return {
      index,
      style,
      intent,
      copies,
      idempotencyKey: `chaos-${options.runId}-${index}`,
      body: {
        customerId: `chaos-${index % 7}`,
        items,
        payment: { method: 'card', cardNumber: intent === 'declined-card' ? DECLINED_CARD : GOOD_CARD },
        shippingAddress: {
          name: 'Chaos Customer',
          line1: `${index + 1} Fault Lane`,
          city: 'Springfield',
          postalCode: '12345',
          country: intent === 'undeliverable' ? 'AQ' : 'US',
        },
        sagaStyle: style,
        ...(simulateFailure ? { simulateFailure } : {}),
      },
    };
  });
}
