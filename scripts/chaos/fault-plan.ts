/**
 * The faults a chaos run asks the embedded host to inject (`EMBEDDED_HOST_FAULTS`): every platform
 * behaviour that can repeat or lose work, each at a rate high enough that a run of a few dozen orders
 * meets all of them.
 */
export interface FaultPlan {
  seed: number;
  rates: Record<string, number>;
}

export const STANDARD_FAULT_RATES: Readonly<Record<string, number>> = {
  activityRepeat: 0.1,
  lockExpiry: 0.05,
  sendFailure: 0.05,
  sendAppliedThenFails: 0.05,
  cosmosThrottle: 0.02,
  cosmosUnavailable: 0.02,
  cosmosTimeout: 0.005,
  cosmosFailAfterApply: 0.02,
};

/** `standard`, `none`, or a JSON object of rates (`{"lockExpiry":0.2}`), for the run's seed. */
export function faultPlanFor(choice: string, seed: number): FaultPlan | null {
  if (choice === 'none') return null;
  if (choice === 'standard') return { seed, rates: { ...STANDARD_FAULT_RATES } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(choice);
  } catch {
    throw new Error(`--faults must be standard, none, or a JSON object of rates (got "${choice}")`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('--faults JSON must be an object of rates');
  const rates: Record<string, number> = {};
  for (const [kind, rate] of Object.entries(parsed)) {
    if (typeof rate !== 'number' || rate < 0 || rate > 1) throw new Error(`--faults: the rate of ${kind} must be a number from 0 to 1`);
    rates[kind] = rate;
  }
  return { seed, rates };
}
