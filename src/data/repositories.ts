import type { OrderRepository, PaymentRepository, ProductRepository, SagaRepository, ShipmentRepository } from '../services/ports';
import type { SagaContainers } from './containers';
import { createOrderKeyedRepository } from './order-keyed-repository';
import { createOrderRepository } from './order-repository';
import { createProductRepository } from './product-repository';
import { PaymentRecordSchema, ShipmentRecordSchema } from './record-schemas';
import { createSagaRepository } from './saga-repository';

export interface Repositories {
  orders: OrderRepository;
  products: ProductRepository;
  payments: PaymentRepository;
  shipments: ShipmentRepository;
  sagas: SagaRepository;
}

export function createRepositories(containers: SagaContainers): Repositories {
  return {
    orders: createOrderRepository(containers.orders),
    products: createProductRepository(containers.products),
    payments: createOrderKeyedRepository(containers.payments, PaymentRecordSchema),
    shipments: createOrderKeyedRepository(containers.shipments, ShipmentRecordSchema),
    sagas: createSagaRepository(containers.sagas),
  };
}
