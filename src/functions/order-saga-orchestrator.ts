import * as df from 'durable-functions';
import { ORDER_SAGA_ORCHESTRATOR, orderSagaOrchestrator } from '../orchestration/order-saga-orchestrator';

export { orderSagaOrchestrator };

df.app.orchestration(ORDER_SAGA_ORCHESTRATOR, orderSagaOrchestrator);
