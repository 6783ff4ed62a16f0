import type { OrderRepository, PaymentMethodRepository, PaymentRepository, ProductRepository, SagaRepository, ShipmentRepository } from '../services/ports';
import type { SagaContainers } from './containers';
import { createOrderKeyedRepository } from './order-keyed-repository';
import { createOrderRepository } from './order-repository';
import { createProductRepository } from './product-repository';
import { PaymentMethodRecordSchema, PaymentRecordSchema, ShipmentRecordSchema } from './record-schemas';
import { createSagaRepository } from './saga-repository';

export interface Repositories {
  orders: OrderRepository;
  products: ProductRepository;
  payments: PaymentRepository;
  paymentMethods: PaymentMethodRepository;
  shipments: ShipmentRepository;
  sagas: SagaRepository;
}

export function createRepositories(containers: SagaContainers): Repositories {
  return {
    orders: createOrderRepository(containers.orders),
    products: createProductRepository(containers.products),
    payments: createOrderKeyedRepository(containers.payments, PaymentRecordSchema),
    paymentMethods: createOrderKeyedRepository(containers.payments, PaymentMethodRecordSchema, (orderId) => `${orderId}.card`),
    shipments: createOrderKeyedRepository(containers.shipments, ShipmentRecordSchema),
    sagas: createSagaRepository(containers.sagas),
  };
}
