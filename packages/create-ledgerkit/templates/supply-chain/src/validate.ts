// Input checks made before any backend is asked, so malformed input is the same
// INVALID_ARGUMENT everywhere (each backend also checks what it can).
import { InvalidArgumentError } from '@ledgerkit/core';
import type { NewBatch, NewCheckpoint } from './domain.ts';

const idPattern = /^[A-Za-z0-9._-]{1,31}$/;
const hashPattern = /^[0-9a-f]{64}$/;
const locationPattern = /^[A-Z0-9-]{2,16}$/;

/**
 * @param id - a batch id
 * @throws InvalidArgumentError unless it is 1-31 of `[A-Za-z0-9._-]`
 */
export function checkBatchId(id: string): void {
  if (typeof id !== 'string' || !idPattern.test(id)) {
    throw new InvalidArgumentError('id', 'a batch id is 1-31 characters of [A-Za-z0-9._-]', { id });
  }
}

/**
 * @param batch - what a manufacturer registers
 * @throws InvalidArgumentError naming the malformed field
 */
export function checkNewBatch(batch: NewBatch): void {
  checkBatchId(batch.id);
  if (
    typeof batch.product !== 'string' ||
    batch.product.length === 0 ||
    new TextEncoder().encode(batch.product).length > 31
  ) {
    throw new InvalidArgumentError('product', 'the product is 1-31 bytes of text');
  }
  checkHash('documentHash', batch.documentHash);
  checkTemperature('maxTemperature', batch.maxTemperature);
}

/**
 * @param checkpoint - what a custodian records
 * @throws InvalidArgumentError naming the malformed field
 */
export function checkNewCheckpoint(checkpoint: NewCheckpoint): void {
  if (typeof checkpoint.location !== 'string' || !locationPattern.test(checkpoint.location)) {
    throw new InvalidArgumentError('location', 'a location code is 2-16 of [A-Z0-9-]');
  }
  checkTemperature('temperature', checkpoint.temperature);
  checkHash('documentHash', checkpoint.documentHash);
}

function checkHash(field: string, value: string): void {
  if (typeof value !== 'string' || !hashPattern.test(value)) {
    throw new InvalidArgumentError(field, `${field} is a SHA-256 as 64 lowercase hex digits`);
  }
}

// Two decimals at most, so the value survives Ethereum's centi-degrees unchanged.
function checkTemperature(field: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < -100 || value > 100) {
    throw new InvalidArgumentError(field, `${field} is in °C, within [-100, 100]`);
  }
  if (Math.abs(Math.round(value * 100) - value * 100) > 1e-6) {
    throw new InvalidArgumentError(field, `${field} has at most two decimals`);
  }
}
