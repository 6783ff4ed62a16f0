import type { Container } from '@azure/cosmos';
import { createIfAbsent, readDocument, replaceIfUnchanged } from '../data/documents';
import { LostRace, retryOnLostRace } from '../data/optimistic-retry';
import {
  DecisionDocumentSchema,
  decisionDocument,
  decisionFrom,
  decisionId,
  withDecision,
  withRoundReopened,
  type Decision,
  type DecisionStore,
  type SagaActionName,
} from './decisions';

/**
 * Decision records in Cosmos DB: container `decisions`, partition key `/orderId`, id `{orderId}:{step}`. A
 * decision is created with create-if-absent (a 409 means another delivery decided first, and its record is read
 * back); an open round is filled by a replace with If-Match, so two deliveries never both decide one round.
 */
export function createDecisionStore(container: Container): DecisionStore {
  const read = async (orderId: string, name: SagaActionName) => {
    const found = await readDocument(container, DecisionDocumentSchema, decisionId(orderId, name), orderId);
    return found ? { decision: decisionFrom(found.document), etag: found.etag } : null;
  };

  /** Writes `change(stored)` unless it is null; returns the decision stored afterwards. */
  const write = (orderId: string, name: SagaActionName, change: (stored: Decision | null) => Decision | null) =>
    retryOnLostRace(`decide ${decisionId(orderId, name)}`, async (): Promise<Decision> => {
      const found = await read(orderId, name);
      const stored = found?.decision ?? null;
      const next = change(stored);
      if (!next) {
        if (!stored) throw new Error(`Decision ${decisionId(orderId, name)} does not exist`);
        return stored;
      }
      if (!found) {
        if (!(await createIfAbsent(container, decisionDocument(next)))) throw new LostRace(`${decisionId(orderId, name)} was decided concurrently`);
      } else {
        await replaceIfUnchanged(container, decisionId(orderId, name), orderId, decisionDocument(next), found.etag);
      }
      return next;
    });

  return {
    async get(orderId, name) {
      return (await read(orderId, name))?.decision ?? null;
    },
    async decide(orderId, name, announce) {
      // Usually nothing is decided yet (the caller has just looked): one create, no read.
      const first = withDecision(null, orderId, name, announce);
      if (first && (await createIfAbsent(container, decisionDocument(first)))) return first;
      return write(orderId, name, (stored) => withDecision(stored, orderId, name, announce));
    },
    reopen(orderId, name, failedRound) {
      return write(orderId, name, (stored) => withRoundReopened(stored, failedRound));
    },
  };
}
