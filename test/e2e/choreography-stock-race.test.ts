import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningHost } from '../../src/local-host/host';
import type { SagaClient } from '../support/saga-client';
import { startApp } from './orders';
import { RACED_PRODUCT, RACED_STOCK, RACERS, raceForTheLastUnits } from './stock-race';

/* Its own file, so the host and its in-memory Cosmos DB start with the catalog's stock. */
let host: RunningHost;
let client: SagaClient;

beforeAll(async () => {
  ({ host, client } = await startApp());
});

afterAll(async () => {
  await host?.stop();
});

it(`choreography: ${RACERS} concurrent orders for the ${RACED_STOCK} units of ${RACED_PRODUCT} complete exactly ${RACED_STOCK}, never oversold`, async () => {
  await raceForTheLastUnits(client, 'choreography');
  expect(await client.durableInstances('ord-')).toEqual([]);
});
