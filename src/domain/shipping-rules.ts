/** Countries the warehouse ships to. Antarctica (AQ) is deliberately never among them. */
export const SUPPORTED_SHIPPING_COUNTRIES: readonly string[] = [
  'US', 'CA', 'MX', 'GB', 'IE', 'FR', 'DE', 'NL', 'BE', 'ES', 'PT', 'IT', 'AT', 'CH', 'SE', 'NO', 'DK', 'FI', 'PL', 'AU', 'NZ', 'JP',
];

export type ShippingDecision = { deliverable: true } | { deliverable: false; reason: string };

export function decideShipping(country: string): ShippingDecision {
  if (SUPPORTED_SHIPPING_COUNTRIES.includes(country)) return { deliverable: true };
  return { deliverable: false, reason: `Shipping to country "${country}" is not supported` };
}
