/**
 * The one place the server core reaches the query engine: swap the import to change engines.
 */
export { executeQuery, queryPlan, QueryError, type QueryInput, type QueryPage, type QueryScope } from './query';
