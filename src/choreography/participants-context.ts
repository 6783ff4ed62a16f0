import { setTimeout as sleep } from 'node:timers/promises';
import { getAppServices, type AppServices } from '../app-services';
import { createSagaDocumentRepository } from '../data/saga-repository';
import { systemClock } from '../services/ports';
import { createDecisionStore } from './decision-store';
import type { ChoreographyParticipants } from './participant-ports';
import { ChoreographySagaDocumentSchema } from './saga-event-log';

/** The participants' view of the app's composition root: only what reacting to events needs. */
export function participantsFrom(services: AppServices): ChoreographyParticipants {
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
