/** A query the client got wrong (syntax, an unknown parameter, a foreign continuation): a 400 Bad Request. */
export class QueryError extends Error {
  readonly status = 400;

  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}
