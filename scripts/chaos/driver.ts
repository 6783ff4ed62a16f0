import type { PlannedOrder } from './workload';

/** What the client saw for one planned order. */
export interface PlacedOrder {
  planned: PlannedOrder;
  /** The order id from a 202 or 200 answer; null when no request got one. */
  orderId: string | null;
  /** Every status the POSTs got, in order (0 for a network error or a timeout). */
  answers: number[];
}

/** How the checker retries, as a careful client does: 8 tries, waiting 0.2 s, 0.4 s, … up to 4 s in between. */
export const CLIENT_ATTEMPTS = 8;
export const clientBackoffMs = (tried: number): number => Math.min(4_000, 100 * 2 ** tried);
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Places one planned order as a careful client does: the same Idempotency-Key on every try, `copies`
 * identical requests at once, and a retry with backoff after a 5xx, a timeout or a network error.
 */
export async function placePlannedOrder(baseUrl: string, planned: PlannedOrder, pause: (ms: number) => Promise<void>): Promise<PlacedOrder> {
  const answers: number[] = [];
  const attempt = async (): Promise<string | null> => {
    for (let tried = 1; tried <= CLIENT_ATTEMPTS; tried += 1) {
      const outcome = await postOrder(baseUrl, planned);
      answers.push(outcome.status);
      if (outcome.orderId) return outcome.orderId;
      if (outcome.status >= 400 && outcome.status < 500) return null;
      await pause(clientBackoffMs(tried));
    }
    return null;
  };
  const ids = await Promise.all(Array.from({ length: planned.copies }, attempt));
  const orderId = ids.find((id): id is string => id !== null) ?? null;
  return { planned, orderId, answers };
}

async function postOrder(baseUrl: string, planned: PlannedOrder): Promise<{ status: number; orderId: string | null }> {
  try {
    const response = await fetch(`${baseUrl}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': planned.idempotencyKey },
      body: JSON.stringify(planned.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    if (response.status !== 202 && response.status !== 200) return { status: response.status, orderId: null };
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return { status: response.status, orderId: typeof id === 'string' ? id : null };
  } catch {
    return { status: 0, orderId: null };
  }
}

/** GET with retries: the run's faults reach the API's reads too, and the checker must not mistake them for answers. */
export async function getJson(url: string, pause: (ms: number) => Promise<void>): Promise<{ status: number; body: unknown }> {
  let last = 0;
  for (let tried = 1; tried <= CLIENT_ATTEMPTS; tried += 1) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      last = response.status;
      if (response.status < 500) {
        const text = await response.text();
        return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
      }
    } catch {
      last = 0;
    }
    await pause(clientBackoffMs(tried));
  }
  throw new Error(`GET ${url} kept failing (last answer ${last || 'no answer'})`);
}

const FINAL = new Set(['Completed', 'Cancelled', 'Failed']);

/** Waits until every order is final or the deadline passes; returns the ids still not final. */
export async function waitForFinalStatuses(
  baseUrl: string,
  orderIds: readonly string[],
  deadlineMs: number,
  pause: (ms: number) => Promise<void>,
  onProgress: (open: number) => void = () => undefined,
): Promise<string[]> {
  let open = [...orderIds];
  while (open.length > 0) {
    const stillOpen: string[] = [];
    for (const id of open) {
      const { status, body } = await getJson(`${baseUrl}/api/orders/${encodeURIComponent(id)}`, pause).catch(() => ({ status: 0, body: null }));
      const orderStatus = status === 200 ? (body as { status?: string }).status : undefined;
      if (!orderStatus || !FINAL.has(orderStatus)) stillOpen.push(id);
    }
    open = stillOpen;
    onProgress(open.length);
    if (open.length === 0 || Date.now() >= deadlineMs) break;
    await pause(1_000);
  }
  return open;
}
