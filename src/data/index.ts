export * from './connect';
export * from './containers';
export * from './cosmos-client';
export * from './cosmos-errors';
export { StoredDocumentInvalid } from './documents';
export * from './repositories';
export * from './existing-containers';
