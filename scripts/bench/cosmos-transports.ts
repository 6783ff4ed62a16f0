/**
 * Requests per second of one create + read + replace loop through the `@azure/cosmos` SDK, against the
 * embedded Cosmos DB servers: @vercel/cosmosdb-server over HTTP (the previous one), the SQLite server over HTTP
 * keep-alive, and the SQLite server through the in-process transport. Run: `npm run build && node
 * dist/scripts/bench/cosmos-transports.js [seconds] [concurrency]`.
 */
import type { AddressInfo } from 'node:net';
import { CosmosClient, type Container } from '@azure/cosmos';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { startEmbeddedCosmos } from '../../src/local-host/cosmos/embedded-cosmos';

const key = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

async function loop(client: CosmosClient, seconds: number, concurrency: number): Promise<number> {
  const { database } = await client.databases.createIfNotExists({ id: 'bench' });
  const { container } = await database.containers.createIfNotExists({ id: 'docs', partitionKey: { paths: ['/pk'] } });
  const end = Date.now() + seconds * 1000;
  let requests = 0;
  const worker = async (lane: number, target: Container): Promise<void> => {
    for (let index = 0; Date.now() < end; index += 1) {
      const id = `${lane}-${index}`;
      await target.items.create({ id, pk: id, count: 1, lines: [{ sku: 'cat-food', qty: 2 }] });
      const { resource } = await target.item(id, id).read<{ id: string; count: number; _etag: string }>();
      await target.item(id, id).replace({ ...resource, count: 2 }, { accessCondition: { type: 'IfMatch', condition: resource?._etag ?? '' } });
      requests += 3;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, (_, lane) => worker(lane, container)));
  return requests / ((Date.now() - started) / 1000);
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const concurrency = Number(process.argv[3] ?? 4);
  const results: Array<[string, number]> = [];

  const vercel = createHttpServer();
  await new Promise<void>((resolve) => vercel.listen(0, '127.0.0.1', resolve));
  const vercelClient = new CosmosClient({
    endpoint: `http://127.0.0.1:${(vercel.address() as AddressInfo).port}`,
    key,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  results.push(['@vercel/cosmosdb-server, HTTP', await loop(vercelClient, seconds, concurrency)]);
  vercelClient.dispose();
  vercel.closeAllConnections();
  vercel.close();

  const overHttp = await startEmbeddedCosmos({ inProcess: false });
  const httpClient = new CosmosClient({ endpoint: overHttp.endpoint, key, connectionPolicy: { enableEndpointDiscovery: false } });
  results.push(['SQLite worker, HTTP keep-alive', await loop(httpClient, seconds, concurrency)]);
  httpClient.dispose();
  await overHttp.close();

  const inProcess = await startEmbeddedCosmos({ inProcess: false });
  const directClient = new CosmosClient({
    endpoint: inProcess.endpoint,
    key,
    connectionPolicy: { enableEndpointDiscovery: false },
    httpClient: inProcess.transport,
  });
  results.push(['SQLite worker, in-process transport', await loop(directClient, seconds, concurrency)]);
  directClient.dispose();
  await inProcess.close();

  console.log(`create + read + replace through @azure/cosmos, ${concurrency} concurrent loops, ${seconds} s each`);
  for (const [name, rate] of results) console.log(`  ${name.padEnd(38)} ${rate.toFixed(0).padStart(6)} requests/s`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
