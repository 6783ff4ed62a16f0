/**
 * The one place the server core reaches the query engine (`query/`).
 */
export { executeQuery, queryPlan, QueryError, type QueryInput, type QueryPage, type QueryScope } from './query';
