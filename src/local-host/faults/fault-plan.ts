/**
 * The fault plan: which of the platform's at-least-once behaviours the embedded host injects, and how often.
 * Off unless given (HostOptions.faults, `--faults`, or EMBEDDED_HOST_FAULTS). It is data, so a failing run
 * can be replayed by passing the same plan again.
 */
import fs from 'node:fs';
import { z } from 'zod';

/** Every kind of fault the host can inject. A later `crash` kind joins this list and the rates below. */
export const faultKinds = [
  'activityRepeat',
  'lockExpiry',
  'sendFailure',
  'sendAppliedThenFails',
  'cosmosThrottle',
  'cosmosUnavailable',
  'cosmosTimeout',
  'cosmosFailAfterApply',
] as const;

export type FaultKind = (typeof faultKinds)[number];

const probability = z.number().min(0).max(1);

const ratesSchema = z
  .object(Object.fromEntries(faultKinds.map((kind) => [kind, probability.optional()])) as Record<FaultKind, z.ZodOptional<typeof probability>>)
  .strict();

export const faultPlanSchema = z
  .object({
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    rates: ratesSchema.default({}),
    /** How long a `cosmosTimeout` holds the request before dropping the socket. */
    cosmosTimeoutMs: z.number().int().min(0).max(600_000).default(2_000),
    /** The wait a `cosmosThrottle` answer asks for (`x-ms-retry-after-ms`). */
    cosmosRetryAfterMs: z.number().int().min(0).max(60_000).default(10),
  })
  .strict();

export type FaultPlanInput = z.input<typeof faultPlanSchema>;

export interface FaultPlan {
  seed: number;
  rates: Record<FaultKind, number>;
  cosmosTimeoutMs: number;
  cosmosRetryAfterMs: number;
}

export class FaultPlanError extends Error {}

/** Validates a plan; missing rates are 0. Throws FaultPlanError naming the offending field. */
export function parseFaultPlan(value: unknown, source = 'fault plan'): FaultPlan {
  const parsed = faultPlanSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new FaultPlanError(`The ${source} is not valid: ${issues}`);
  }
  const rates = Object.fromEntries(faultKinds.map((kind) => [kind, parsed.data.rates[kind] ?? 0])) as Record<FaultKind, number>;
  return { seed: parsed.data.seed, rates, cosmosTimeoutMs: parsed.data.cosmosTimeoutMs, cosmosRetryAfterMs: parsed.data.cosmosRetryAfterMs };
}

/** A plan given as text: JSON itself, or the path of a JSON file (as `--faults` takes it). */
export function readFaultPlanText(text: string, source: string): FaultPlan {
  const trimmed = text.trim();
  let json = trimmed;
  let where = source;
  if (!trimmed.startsWith('{')) {
    if (!fs.existsSync(trimmed)) throw new FaultPlanError(`The ${source} is neither JSON nor an existing file: "${trimmed}"`);
    json = fs.readFileSync(trimmed, 'utf8');
    where = `${source} file ${trimmed}`;
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new FaultPlanError(`The ${where} is not valid JSON: ${(err as Error).message}`);
  }
  return parseFaultPlan(value, where);
}
