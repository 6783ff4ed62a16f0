import { z } from 'zod';
import { SagaStyleSchema } from './order';

export const FORWARD_STEP_NAMES = ['ReserveInventory', 'ProcessPayment', 'FulfillOrder'] as const;
export const ForwardStepNameSchema = z.enum(FORWARD_STEP_NAMES);
export type ForwardStepName = z.infer<typeof ForwardStepNameSchema>;

export const COMPENSATION_NAMES = ['ReleaseInventory', 'RefundPayment', 'CancelFulfillment'] as const;
export const CompensationNameSchema = z.enum(COMPENSATION_NAMES);
export type CompensationName = z.infer<typeof CompensationNameSchema>;

export const SAGA_STATUSES = ['Running', 'Completed', 'Compensating', 'Compensated', 'CompensationFailed'] as const;
export const SagaStatusSchema = z.enum(SAGA_STATUSES);
export type SagaStatus = z.infer<typeof SagaStatusSchema>;

export const STEP_STATUSES = ['Pending', 'Running', 'Succeeded', 'Failed'] as const;
export const StepStatusSchema = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof StepStatusSchema>;

export const COMPENSATION_STATUSES = ['Compensated', 'NothingToCompensate', 'Failed'] as const;
export const CompensationStatusSchema = z.enum(COMPENSATION_STATUSES);
export type CompensationStatus = z.infer<typeof CompensationStatusSchema>;

export const SagaStepSchema = z.object({
  name: ForwardStepNameSchema,
  status: StepStatusSchema,
  attempts: z.number().int().nonnegative(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type SagaStep = z.infer<typeof SagaStepSchema>;

export const CompensationStepSchema = z.object({
  name: CompensationNameSchema,
  status: CompensationStatusSchema,
  attempts: z.number().int().nonnegative(),
  completedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type CompensationStep = z.infer<typeof CompensationStepSchema>;

export const SagaCompensationInfoSchema = z.object({
  reason: z.string(),
  failedStep: ForwardStepNameSchema,
  startedAt: z.string(),
  completedAt: z.string().nullable(),
  steps: z.array(CompensationStepSchema),
});
export type SagaCompensationInfo = z.infer<typeof SagaCompensationInfoSchema>;

export const OrderSagaSchema = z.object({
  orderId: z.string(),
  sagaStyle: SagaStyleSchema,
  instanceId: z.string().nullable(),
  status: SagaStatusSchema,
  steps: z.array(SagaStepSchema),
  compensation: SagaCompensationInfoSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OrderSaga = z.infer<typeof OrderSagaSchema>;

export const FINAL_SAGA_STATUSES: readonly SagaStatus[] = ['Completed', 'Compensated', 'CompensationFailed'];

export function isFinalSagaStatus(status: SagaStatus): boolean {
  return FINAL_SAGA_STATUSES.includes(status);
}
