import { setTimeout as sleep } from 'node:timers/promises';
import { getAppServices, type AppServices } from '../app-services';
import { createSagaDocumentRepository } from '../data/saga-repository';
import { systemClock } from '../services/ports';
import { createDecisionStore } from './decision-store';
import type { ChoreographyParticipants } from './participant-ports';
import { ChoreographySagaDocumentSchema } from './saga-event-log';

const participantsOf = new WeakMap<AppServices, ChoreographyParticipants>();

/**
 * The participants' view of the app's composition root: only what reacting to events needs. Built once per
 * services, so the saga repository's document copies (data/document-cache.ts) outlive one delivery.
 */
export function participantsFrom(services: AppServices): ChoreographyParticipants {
  let participants = participantsOf.get(services);
  if (!participants) {
    participants = buildParticipants(services);
    participantsOf.set(services, participants);
  }
  return participants;
}

function buildParticipants(services: AppServices): ChoreographyParticipants {
  return {
    orders: services.repositories.orders,
    decisions: createDecisionStore(services.cosmos.containers.decisions),
    // The documents the app's saga repository serves, through a schema that keeps the event log.
    sagas: createSagaDocumentRepository(services.cosmos.containers.sagas, ChoreographySagaDocumentSchema),
    inventory: services.inventory,
    payment: services.payments,
    fulfillment: services.fulfillment,
    sagaRecords: services.sagaRecords,
    publisher: services.publisher,
    clock: systemClock,
    pause: (ms) => sleep(ms),
  };
}

export async function getChoreographyParticipants(): Promise<ChoreographyParticipants> {
  return participantsFrom(await getAppServices());
}
