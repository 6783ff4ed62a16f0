import { setTimeout as sleep } from 'node:timers/promises';
import { getAppServices, type AppServices } from '../app-services';
import { systemClock } from '../services/ports';
import { createChoreographySagaStore } from './choreography-saga-store';
import type { ChoreographyParticipants } from './participant-ports';

/** The participants' view of the app's composition root: only what reacting to events needs. */
export function participantsFrom(services: AppServices): ChoreographyParticipants {
  return {
    orders: services.repositories.orders,
    sagas: createChoreographySagaStore(services.cosmos.containers.sagas),
    inventory: services.inventory,
    payment: services.payments,
    fulfillment: services.fulfillment,
    publisher: services.publisher,
    clock: systemClock,
    pause: (ms) => sleep(ms),
  };
}

export async function getChoreographyParticipants(): Promise<ChoreographyParticipants> {
  return participantsFrom(await getAppServices());
}
