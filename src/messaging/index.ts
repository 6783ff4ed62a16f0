export * from './create-publisher';
export * from './deliveries';
export * from './embedded-broker-publisher';
export * from './envelope';
export * from './queues';
export * from './routes';
export * from './service-bus-publisher';
export * from './service-bus-client';
