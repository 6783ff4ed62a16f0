/**
 * The embedded Cosmos DB server's query engine: Cosmos DB SQL over the `documents` table, through SQLite
 * expression indexes for the subset the app uses, by a full scan with `@zeit/cosmosdb-query` for the rest.
 */
export { QueryError } from './errors';
export { executeQuery, type QueryInput, type QueryPage, type QueryScope, type PageRequest } from './execute';
export { queryPlan, type QueryPlan } from './plan';
export { fallbackCount } from './fallback';
