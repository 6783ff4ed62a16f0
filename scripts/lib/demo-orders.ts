import { DEMO_CATALOG, FAILURE_SIMULATIONS, SAGA_STYLES, type FailureSimulation, type SagaStyle } from '../../src/domain';

export const STYLE_CHOICES = [...SAGA_STYLES, 'mixed'] as const;
export const FAILURE_CHOICES = ['none', 'mixed', ...FAILURE_SIMULATIONS] as const;
export type StyleChoice = (typeof STYLE_CHOICES)[number];
export type FailureChoice = (typeof FAILURE_CHOICES)[number];

export interface DemoOrderOptions {
  count: number;
  style: StyleChoice;
  failures: FailureChoice;
  customer: string;
}

/** A POST /api/orders body, exactly as a client would send it. */
export interface DemoOrderRequest {
  customerId: string;
  items: { productId: string; quantity: number }[];
  payment: { method: 'card'; cardNumber: string };
  shippingAddress: { name: string; line1: string; city: string; postalCode: string; country: string };
  sagaStyle: SagaStyle;
  simulateFailure?: FailureSimulation;
}

/** Half of the orders succeed; the rest walk through every failure, so each compensation path shows up. */
const MIXED_FAILURES: readonly (FailureSimulation | undefined)[] = [
  undefined,
  'inventory',
  undefined,
  'payment',
  undefined,
  'fulfillment',
  undefined,
  'refund',
];

/*
 * Products that cannot fail an order by themselves: in stock, and cheap enough that no basket crosses
 * the payment limit. Failures then come only from --failures (or from stock running out on big runs).
 */
const EVERYDAY_PRODUCTS = DEMO_CATALOG.filter((entry) => entry.initialStock > 0 && entry.price < 1000).map((entry) => entry.id);

/** Deterministic for given options, so two runs with the same flags place the same kind of orders. */
export function planDemoOrders(options: DemoOrderOptions): DemoOrderRequest[] {
  return Array.from({ length: options.count }, (_, index) => {
    const lines = 1 + (index % 3);
    const items = Array.from({ length: lines }, (_, line) => ({
      productId: EVERYDAY_PRODUCTS[(index + line) % EVERYDAY_PRODUCTS.length],
      quantity: 1 + ((index + line) % 2),
    }));
    const simulateFailure = failureFor(options.failures, index);
    return {
      customerId: options.customer,
      items,
      payment: { method: 'card', cardNumber: '4242424242424242' },
      shippingAddress: { name: 'Seed Customer', line1: `${index + 1} Main St`, city: 'Springfield', postalCode: '12345', country: 'US' },
      sagaStyle: options.style === 'mixed' ? SAGA_STYLES[index % SAGA_STYLES.length] : options.style,
      ...(simulateFailure ? { simulateFailure } : {}),
    };
  });
}

function failureFor(choice: FailureChoice, index: number): FailureSimulation | undefined {
  if (choice === 'none') return undefined;
  if (choice === 'mixed') return MIXED_FAILURES[index % MIXED_FAILURES.length];
  return choice;
}
