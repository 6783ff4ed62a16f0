import { z } from 'zod';
import { InvalidContinuationToken } from '../services/ports';

/**
 * The SDK's continuation token is opaque JSON that Cosmos (and the local emulators) may silently accept when
 * it is garbage. Wrapping it in a versioned envelope lets a malformed token be told apart from a valid one
 * and answered with 400, and binds it to the filters of the listing that produced it: a page token used with
 * other filters would resume a different query at a meaningless position.
 */
const TokenEnvelopeSchema = z.strictObject({
  v: z.literal(1),
  f: z.string(),
  c: z.string().min(1),
});

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function encodeContinuationToken(sdkToken: string, filterKey: string): string {
  const envelope: z.infer<typeof TokenEnvelopeSchema> = { v: 1, f: filterKey, c: sdkToken };
  return Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64url');
}

/** Returns the SDK token inside `token`, or throws InvalidContinuationToken. */
export function decodeContinuationToken(token: string, filterKey: string): string {
  const invalid = (why: string) => new InvalidContinuationToken(`Malformed continuation token: ${why}`);
  if (!BASE64URL.test(token)) throw invalid('not base64url');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a token this service issued');
  }
  const envelope = TokenEnvelopeSchema.safeParse(json);
  if (!envelope.success) throw invalid('not a token this service issued');
  if (envelope.data.f !== filterKey) throw invalid('it belongs to a listing with other filters');
  return envelope.data.c;
}
