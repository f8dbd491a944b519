// The business rules as a pure state transition, for the backend with no contract of its own:
// the ledgerdb service runs it inside the transaction that writes the step. (SupplyChain.sol
// and the chaincode implement the same rules on their platforms.)
import { LedgerError } from '@ledgerkit/core';
import type { Batch, PartyId, Role, StepDetail } from './domain.ts';
import { ruleViolation } from './errors.ts';

/** A step as the service records it: what happened and who did it. */
export type StepRecord = StepDetail & { by: PartyId };

/** The stored document of a batch: its state after its latest step, and that step. */
export interface BatchDocument extends Batch {
  step: StepRecord;
}

/**
 * The batch after `step`, or the rule that refuses it.
 *
 * @param id - the batch
 * @param current - the batch before the step; undefined when it does not exist
 * @param step - what the caller does, with the caller's identity as `by`
 * @param roleOf - the role of an identity, from the operator's directory
 * @returns the batch document to store
 * @throws LedgerError `PERMISSION_DENIED` when the caller's role may not act, `NOT_FOUND`,
 *   `CONTRACT_REVERTED` with the rule's reason code
 */
export function applyStep(
  id: string,
  current: BatchDocument | undefined,
  step: StepRecord,
  roleOf: (party: PartyId) => Role | undefined,
): BatchDocument {
  const role = roleOf(step.by);
  if (step.kind === 'registered') {
    if (role !== 'manufacturer') throw denied(step.by, 'register batches', 'manufacturer');
    if (current) throw ruleViolation('ALREADY_REGISTERED', 'the batch is already registered');
    return {
      id,
      product: step.product,
      documentHash: step.documentHash,
      maxTemperature: step.maxTemperature,
      custodian: step.by,
      pendingOffer: null,
      status: 'active',
      flagged: false,
      checkpoints: 0,
      step,
    };
  }
  if (step.kind === 'received' && role !== 'retailer') throw denied(step.by, 'receive batches', 'retailer');
  if (!current) throw new LedgerError('NOT_FOUND', 'no such batch');
  if (current.status === 'received') throw ruleViolation('BATCH_RECEIVED', 'the batch was received; it is final');
  const next: BatchDocument = { ...current, step };
  switch (step.kind) {
    case 'custody-offered': {
      requireCustodian(current, step.by);
      const receiverRole = roleOf(step.to);
      if (step.to === step.by || receiverRole === undefined || receiverRole === 'auditor') {
        throw ruleViolation('INVALID_RECEIVER', 'custody goes to another manufacturer, carrier or retailer', {
          to: step.to,
        });
      }
      // A new offer replaces a pending one, as on SupplyChain.sol.
      next.pendingOffer = step.to;
      return next;
    }
    case 'custody-accepted': {
      if (current.pendingOffer === null) throw ruleViolation('NO_PENDING_OFFER', 'no custody offer is pending');
      if (current.pendingOffer !== step.by) {
        throw ruleViolation('NOT_OFFERED_TO', 'custody is offered to someone else', { caller: step.by });
      }
      if (step.from !== current.custodian) throw stale();
      next.custodian = step.by;
      next.pendingOffer = null;
      return next;
    }
    case 'checkpoint': {
      requireCustodian(current, step.by);
      const excursion = step.temperature > current.maxTemperature;
      if (step.sequence !== current.checkpoints + 1 || step.excursion !== excursion) throw stale();
      next.checkpoints = step.sequence;
      next.flagged = current.flagged || excursion;
      return next;
    }
    case 'received': {
      requireCustodian(current, step.by);
      next.status = 'received';
      next.pendingOffer = null;
      return next;
    }
  }
}

/**
 * The step was prepared against another version of the batch (a concurrent step committed in
 * between): retryable, the service prepares it again against the batch as it is now.
 */
function stale(): LedgerError {
  return new LedgerError('OCC_CONFLICT', 'the step was prepared against an older version of the batch');
}

function requireCustodian(batch: Batch, caller: PartyId): void {
  if (batch.custodian !== caller) {
    throw ruleViolation('NOT_CUSTODIAN', 'only the batch’s custodian may do this', { caller });
  }
}

function denied(caller: PartyId, what: string, role: Role): LedgerError {
  return new LedgerError('PERMISSION_DENIED', `only a ${role} may ${what}`, { details: { caller, role } });
}
