import { z } from 'zod';
import { InvalidContinuationToken } from '../services/ports';

/**
 * Order listings page by keyset, not by the SDK's continuation token: a cross-partition ORDER BY on a
 * multi-partition account hands back no token at all (and refuses one) unless query control is on. The token
 * is the sort key of the last order on the page, (createdAt, id), bound to the filters of the listing that
 * produced it. Every field is checked strictly, so a token that was edited by hand is a 400, never a
 * silently different page.
 */
const KeysetTokenSchema = z.strictObject({
  v: z.literal(2),
  f: z.string().max(512),
  t: z.iso.datetime({ offset: false }),
  i: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/),
});

export interface OrderKeyset {
  createdAt: string;
  id: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function encodeContinuationToken(last: OrderKeyset, filterKey: string): string {
  const token: z.infer<typeof KeysetTokenSchema> = { v: 2, f: filterKey, t: last.createdAt, i: last.id };
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

/** The position after which the next page starts, or throws InvalidContinuationToken. */
export function decodeContinuationToken(token: string, filterKey: string): OrderKeyset {
  const invalid = (why: string) => new InvalidContinuationToken(`Malformed continuation token: ${why}`);
  if (!BASE64URL.test(token)) throw invalid('not base64url');
  const text = Buffer.from(token, 'base64url').toString('utf8');
  // Base64url decoding ignores trailing garbage bits; re-encoding tells a token we issued from a look-alike.
  if (Buffer.from(text, 'utf8').toString('base64url') !== token) throw invalid('not a token this service issued');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid('not a token this service issued');
  }
  const parsed = KeysetTokenSchema.safeParse(json);
  if (!parsed.success) throw invalid('not a token this service issued');
  if (parsed.data.f !== filterKey) throw invalid('it belongs to a listing with other filters');
  return { createdAt: parsed.data.t, id: parsed.data.i };
}
