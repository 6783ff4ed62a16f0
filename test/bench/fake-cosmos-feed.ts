import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Just enough of a Cosmos DB endpoint for the @azure/cosmos SDK's change-feed iterator on one container (the
 * account, the container, its one partition key range, incremental reads of its documents), plus the app's
 * `GET /api/orders/{id}`, so a watcher can be tried on each of its paths:
 * - `feed`: a change feed as Cosmos serves it (latest version of each changed document, the etag as the LSN);
 * - `failing`: change-feed reads fail with a 400, as an endpoint without the feature may answer;
 * - `silent`: 304 for ever, as today's embedded server answers (it ignores the change-feed headers).
 */
export type FeedBehaviour = 'feed' | 'failing' | 'silent';

export interface FakeEndpoint {
  url: string;
  /** Stores (or replaces) an order, as the app would. */
  write(order: { id: string; status: string; updatedAt: string }): void;
  requests: { changeFeed: number; orderReads: number };
  close(): Promise<void>;
}

export async function startFakeEndpoint(behaviour: FeedBehaviour): Promise<FakeEndpoint> {
  const documents = new Map<string, { doc: Record<string, unknown>; lsn: number }>();
  let lsn = 0;
  const requests = { changeFeed: 0, orderReads: 0 };
  let url = '';
  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-ms-request-charge': '1', 'x-ms-activity-id': '00000000-0000-0000-0000-000000000000', ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const appOrder = /^\/api\/orders\/([^/]+)$/.exec(path);
    if (appOrder) {
      requests.orderReads += 1;
      const found = documents.get(decodeURIComponent(appOrder[1] as string));
      return found ? send(res, 200, found.doc) : send(res, 404, { status: 404 });
    }
    if (path === '/' || path === '') {
      const location = [{ name: 'local', databaseAccountEndpoint: url }];
      return send(res, 200, {
        id: 'fake',
        _rid: 'fake',
        _self: '',
        writableLocations: location,
        readableLocations: location,
        enableMultipleWriteLocations: false,
        userConsistencyPolicy: { defaultConsistencyLevel: 'Session' },
        systemReplicationPolicy: { minReplicaSetSize: 1, maxReplicasetSize: 1 },
        readPolicy: { primaryReadCoefficient: 1, secondaryReadCoefficient: 1 },
      });
    }
    if (path === '/dbs/petstore/colls/orders') {
      return send(res, 200, { id: 'orders', _rid: 'ordersRid=', _self: 'dbs/db=/colls/ordersRid=/', partitionKey: { paths: ['/id'], kind: 'Hash', version: 2 } });
    }
    if (path === '/dbs/petstore/colls/orders/pkranges') {
      return send(res, 200, { _rid: 'ordersRid=', PartitionKeyRanges: [{ id: '0', minInclusive: '', maxExclusive: 'FF', parents: [] }], _count: 1 }, { etag: '"ranges-1"' });
    }
    if (path === '/dbs/petstore/colls/orders/docs' && String(req.headers['a-im']).toLowerCase() === 'incremental feed') {
      requests.changeFeed += 1;
      if (behaviour === 'failing') return send(res, 400, { code: 'BadRequest', message: 'Change feed is not supported by this endpoint' });
      if (behaviour === 'silent') return send(res, 304, undefined, { etag: '1' });
      const since = req.headers['if-none-match'];
      const after = since === undefined || since === '*' ? (since === '*' ? lsn : 0) : Number(since.replace(/"/g, ''));
      const changed = [...documents.values()].filter((entry) => entry.lsn > after).sort((a, b) => a.lsn - b.lsn);
      if (changed.length === 0) return send(res, 304, undefined, { etag: `"${after}"` });
      return send(res, 200, { _rid: 'ordersRid=', Documents: changed.map((entry) => entry.doc), _count: changed.length }, { etag: `"${lsn}"`, 'x-ms-item-count': String(changed.length) });
    }
    send(res, 404, { code: 'NotFound', message: `${req.method} ${path} is not part of this fake` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    write(order) {
      lsn += 1;
      documents.set(order.id, { doc: { ...order, _rid: `doc${lsn}`, _ts: Math.floor(Date.now() / 1000), _etag: `"${lsn}"`, _lsn: lsn }, lsn });
    },
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
