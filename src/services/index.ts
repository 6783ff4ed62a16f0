export * from './catalog-service';
export * from './fulfillment-service';
export * from './inventory-service';
export * from './order-identity';
export * from './order-service';
export * from './payment-service';
export * from './ports';
export * from './saga-record-service';
