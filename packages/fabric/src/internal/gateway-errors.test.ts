import type { ServiceError } from '@grpc/grpc-js';
import { CommitError, CommitStatusError, EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
import { InvalidArgumentError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { parseReason, toLedgerError } from './gateway-errors.js';

const context = { operation: 'submit', channel: 'trade', chaincode: 'assets', transaction: 'Transfer' };
const txId = 'ab'.repeat(32);

function cause(code: number, message: string): ServiceError {
  return Object.assign(new Error(message), { code, details: message, metadata: {} }) as unknown as ServiceError;
}

function endorseError(code: number, details: { address: string; mspId: string; message: string }[]) {
  return new EndorseError({
    code,
    details,
    cause: cause(code, 'failed'),
    transactionId: txId,
    message: `${code} failed`,
  });
}

describe('toLedgerError', () => {
  test('a chaincode rejection is CONTRACT_REVERTED with the [CODE] prefix parsed and per-peer details', () => {
    const peers = [
      {
        address: 'peer0.org1:7051',
        mspId: 'Org1MSP',
        message: 'chaincode response 500, [NOT_CUSTODIAN] pallet-1 is held by Org2MSP',
      },
      {
        address: 'peer0.org2:9051',
        mspId: 'Org2MSP',
        message: 'chaincode response 500, [NOT_CUSTODIAN] pallet-1 is held by Org2MSP',
      },
    ];
    const error = toLedgerError(endorseError(10, peers), context);
    expect(error.code).toBe('CONTRACT_REVERTED');
    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({
      reasonCode: 'NOT_CUSTODIAN',
      reason: 'pallet-1 is held by Org2MSP',
      chaincodeStatus: 500,
      txId,
      grpcStatus: 'ABORTED',
      peers,
      ...context,
    });
    expect(error.cause).toBeInstanceOf(EndorseError);
  });

  test('a rejection without a code keeps the whole message as reason', () => {
    const evaluate = new GatewayError({
      code: 2,
      details: [{ address: 'p:1', mspId: 'Org1MSP', message: 'chaincode response 500, plain failure' }],
      cause: cause(2, 'x'),
    });
    const error = toLedgerError(evaluate, { ...context, operation: 'evaluate' });
    expect(error.code).toBe('CONTRACT_REVERTED');
    expect(error.details.reason).toBe('plain failure');
    expect(error.details.reasonCode).toBeUndefined();
  });

  test.each([
    [11, 'MVCC_READ_CONFLICT', 'OCC_CONFLICT', true],
    [12, 'PHANTOM_READ_CONFLICT', 'OCC_CONFLICT', true],
    [10, 'ENDORSEMENT_POLICY_FAILURE', 'COMMIT_FAILED', false],
    [9, 'DUPLICATE_TXID', 'COMMIT_FAILED', false],
  ] as const)('validation code %i (%s) is %s', (code, name, expected, retryable) => {
    const error = toLedgerError(new CommitError({ code, transactionId: txId, message: 'failed' }), context);
    expect(error.code).toBe(expected);
    expect(error.retryable).toBe(retryable);
    expect(error.details).toMatchObject({ validationCode: name, txId });
    expect(error.message).toContain(name);
  });

  test.each([
    [14, 'UNAVAILABLE', true],
    [4, 'TIMEOUT', true],
    [7, 'PERMISSION_DENIED', false],
    [16, 'UNAUTHENTICATED', false],
    [5, 'NOT_FOUND', false],
    [1, 'ABORTED', false],
  ] as const)('gRPC status %i is %s', (code, expected, retryable) => {
    const error = toLedgerError(endorseError(code, []), context);
    expect(error.code).toBe(expected);
    expect(error.retryable).toBe(retryable);
  });

  test('no endorsing peers (FAILED_PRECONDITION) is ENDORSEMENT_FAILED, retryable while discovery catches up', () => {
    const error = toLedgerError(endorseError(9, []), context);
    expect(error.code).toBe('ENDORSEMENT_FAILED');
    expect(error.retryable).toBe(true);
    expect(error.details.grpcStatus).toBe('FAILED_PRECONDITION');
  });

  test('a peer that cannot reach the chaincode server is UNAVAILABLE', () => {
    const peers = [
      { address: 'p:1', mspId: 'Org1MSP', message: 'could not launch chaincode cc_1.0:abc: connection refused' },
    ];
    expect(toLedgerError(endorseError(10, peers), context).code).toBe('UNAVAILABLE');
  });

  test('other endorsement, ordering and commit-status failures', () => {
    const mismatch = [{ address: 'p:1', mspId: 'Org1MSP', message: 'ProposalResponsePayloads do not match' }];
    expect(toLedgerError(endorseError(10, mismatch), context)).toMatchObject({
      code: 'ENDORSEMENT_FAILED',
      retryable: false,
    });
    const submit = Object.assign(new Error('13 INTERNAL: orderer said no'), {
      name: 'SubmitError',
      code: 13,
      details: [],
    });
    expect(toLedgerError(submit, context).code).toBe('COMMIT_FAILED');
    const status = new CommitStatusError({ code: 14, details: [], cause: cause(14, 'x'), transactionId: txId });
    expect(toLedgerError(status, context)).toMatchObject({ code: 'UNAVAILABLE', details: { txId } });
  });

  test('ledgerkit errors pass unchanged; anything else is INTERNAL', () => {
    const invalid = new InvalidArgumentError('x', 'bad');
    expect(toLedgerError(invalid, context)).toBe(invalid);
    expect(toLedgerError(new TypeError('boom'), context).code).toBe('INTERNAL');
  });
});

test('parseReason splits a [CODE] prefix', () => {
  expect(parseReason('[ASSET_EXISTS] pallet-1 exists')).toEqual({
    reasonCode: 'ASSET_EXISTS',
    reason: 'pallet-1 exists',
  });
  expect(parseReason('no code [HERE]')).toEqual({ reason: 'no code [HERE]' });
});
