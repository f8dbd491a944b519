import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePorts, portInUse } from './ports.js';

describe('freePorts', () => {
  it('chooses distinct ports below the ephemeral range that nothing listens on', async () => {
    const ports = await freePorts(40);
    expect(new Set(ports).size).toBe(40);
    const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    const ephemeralLow = Number(range.trim().split(/\s+/)[0]);
    for (const port of ports) {
      expect(port).toBeLessThan(ephemeralLow);
      expect(await portInUse(port)).toBe(false);
    }
  });

  it('never hands a reserved port to a later caller', async () => {
    const first = new Set(await freePorts(200));
    const second = await freePorts(200);
    expect(second.filter((port) => first.has(port))).toEqual([]);
  });

  it('never chooses an excluded port (the ports a network recorded for its components)', async () => {
    const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    const ephemeralLow = Number(range.trim().split(/\s+/)[0]);
    // Every even port of the range: an allocation that ignored the list would pick about half of them.
    const even = Array.from({ length: ephemeralLow / 2 }, (_, index) => index * 2);
    const chosen = await freePorts(60, { exclude: even });
    expect(chosen).toHaveLength(60);
    expect(chosen.filter((port) => port % 2 === 0)).toEqual([]);
  });

  it('tells a port someone listens on from a free one', async () => {
    const server = await new Promise<Server>((resolve) => {
      const listening = createServer().listen(0, '127.0.0.1', () => resolve(listening));
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    expect(await portInUse(port)).toBe(true);
    await new Promise((resolve) => server.close(resolve));
    expect(await portInUse(port)).toBe(false);
  });
});
