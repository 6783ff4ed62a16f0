/**
 * The Cosmos DB REST protocol as plain data: what the server core takes and answers, whichever way the request
 * came (the SDK's in-process transport, the HTTP listener, the worker thread's message port).
 */

export interface CosmosRequest {
  method: string;
  /** The path with its query string, as on the wire: `/dbs/orders/colls/orders/docs/o-1`. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body?: string;
}

export interface CosmosResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or '' for 204 and 304. */
  body: string;
}

/** The server's handler, wherever it runs. */
export type CosmosHandler = (request: CosmosRequest) => Promise<CosmosResponse>;

/**
 * Thrown by a handler when the request must fail the way a lost connection fails (the fault plan's timeouts
 * and dropped answers): the HTTP listener destroys the socket, the in-process transport rejects as Node's
 * HTTP client does on a reset.
 */
export class ConnectionDropped extends Error {
  constructor(message = 'The connection was dropped.') {
    super(message);
    this.name = 'ConnectionDropped';
  }
}
