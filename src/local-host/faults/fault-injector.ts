/**
 * Decides, for each place where the platform may repeat or lose work, whether this occurrence gets a fault.
 * A decision is a pure function of (seed, kind, key, occurrence): the key names the work (a message id and
 * delivery count, an instance and task id, a Cosmos request), and the occurrence counts how often that key
 * was asked about, so a retry of the same request gets a fresh decision. Nothing draws from a shared random
 * stream, so the same seed makes the same decisions however the work interleaves.
 */
import { createHash } from 'node:crypto';
import { faultKinds, type FaultKind, type FaultPlan } from './fault-plan';

export type FaultCounts = Record<FaultKind, number>;

export interface FaultReport {
  enabled: boolean;
  seed: number | null;
  rates: Record<FaultKind, number>;
  injected: FaultCounts;
}

function zeroCounts(): FaultCounts {
  return Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as FaultCounts;
}

/** A number in [0, 1) from the first 48 bits of SHA-256 over the parts. */
export function unitHash(...parts: Array<string | number>): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** Short stable digest of a request body, for keys. */
export function bodyDigest(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

export class FaultInjector {
  readonly #plan: FaultPlan | undefined;
  readonly #injected = zeroCounts();
  readonly #occurrences = new Map<string, number>();

  constructor(plan?: FaultPlan) {
    this.#plan = plan;
  }

  get enabled(): boolean {
    return this.#plan !== undefined;
  }

  get plan(): FaultPlan | undefined {
    return this.#plan;
  }

  /** Whether `kind` applies rarely enough that callers can skip building a key. */
  active(kind: FaultKind): boolean {
    return (this.#plan?.rates[kind] ?? 0) > 0;
  }

  /** True when this occurrence of `key` gets the fault; counts it as injected. */
  decide(kind: FaultKind, key: string): boolean {
    const plan = this.#plan;
    const rate = plan?.rates[kind] ?? 0;
    if (!plan || rate <= 0) return false;
    const occurrenceKey = `${kind}\u0000${key}`;
    const occurrence = this.#occurrences.get(occurrenceKey) ?? 0;
    this.#occurrences.set(occurrenceKey, occurrence + 1);
    const fires = unitHash(plan.seed, kind, key, occurrence) < rate;
    if (fires) this.#injected[kind] += 1;
    return fires;
  }

  /** A secondary deterministic choice for a fault that already fired (e.g. 503 or a dropped socket). */
  pick<T>(kind: FaultKind, key: string, options: readonly T[]): T {
    const index = Math.floor(unitHash(this.#plan?.seed ?? 0, kind, key, 'pick') * options.length);
    return options[index] as T;
  }

  report(): FaultReport {
    const plan = this.#plan;
    return {
      enabled: plan !== undefined,
      seed: plan?.seed ?? null,
      rates: plan ? { ...plan.rates } : (zeroCounts() as Record<FaultKind, number>),
      injected: { ...this.#injected },
    };
  }
}

/** The injector of a host started without a plan: never fires. */
export const noFaults = new FaultInjector();
