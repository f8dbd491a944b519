import { describe, expect, test } from 'vitest';
import { NonceSequencer } from './nonce-sequencer.js';

describe('NonceSequencer', () => {
  test('hands out consecutive nonces to concurrent sends, in call order, without overlap', async () => {
    let reads = 0;
    const sequencer = new NonceSequencer(async () => {
      reads++;
      return 7;
    });
    let active = 0;
    const order: number[] = [];
    const sends = Array.from({ length: 20 }, () =>
      sequencer.send(async (nonce) => {
        active++;
        expect(active).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        order.push(nonce);
        active--;
        return nonce;
      }),
    );
    expect(await Promise.all(sends)).toEqual(Array.from({ length: 20 }, (_, index) => 7 + index));
    expect(order).toEqual(Array.from({ length: 20 }, (_, index) => 7 + index));
    expect(reads).toBe(1);
  });

  test('a failed send does not consume its nonce and makes the next send re-read the node', async () => {
    let pending = 3;
    const sequencer = new NonceSequencer(async () => pending);
    expect(await sequencer.send(async (nonce) => nonce)).toBe(3);
    pending = 4;
    await expect(
      sequencer.send(async () => {
        throw new Error('connection reset');
      }),
    ).rejects.toThrow('connection reset');
    expect(await sequencer.send(async (nonce) => nonce)).toBe(4);
    expect(await sequencer.send(async (nonce) => nonce)).toBe(5);
  });

  test('reset() makes the next send read the nonce from the node', async () => {
    let pending = 0;
    const sequencer = new NonceSequencer(async () => pending);
    await sequencer.send(async (nonce) => nonce);
    pending = 10;
    sequencer.reset();
    expect(await sequencer.send(async (nonce) => nonce)).toBe(10);
  });
});
