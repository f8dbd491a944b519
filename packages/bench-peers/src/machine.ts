import { hash, randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { MachineFacts } from './result-schema.ts';
import { spread } from './stats.ts';

/**
 * 4 KiB writes each followed by `fdatasync`, in a fresh file under `dir`: the most
 * single-document durable commits per second any system on this disk can reach.
 *
 * @param dir - a directory on the filesystem the systems store their data on
 * @param seconds - how long to measure
 * @returns fdatasyncs per second
 */
export function measureFsync(dir: string, seconds: number): number {
  const scratch = mkdtempSync(join(dir, 'fsync-'));
  const fd = openSync(join(scratch, 'probe'), 'w');
  try {
    const page = randomBytes(4096);
    const started = performance.now();
    let count = 0;
    while (performance.now() - started < seconds * 1000) {
      writeSync(fd, page, 0, page.length, (count % 256) * 4096);
      fdatasyncSync(fd);
      count++;
    }
    return count / ((performance.now() - started) / 1000);
  } finally {
    closeSync(fd);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * One-shot SHA-256 of 65 bytes (an RFC 9162 node: prefix and two hashes), digest as bytes,
 * on one thread: the unit of work of every Merkle proof, the same baseline as ledgerdb's bench.
 *
 * @param seconds - how long to measure
 * @returns hashes per second
 */
export function measureSha256(seconds: number): number {
  const input = randomBytes(65);
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < seconds * 1000) {
    for (let i = 0; i < 256; i++) hash('sha256', input, 'buffer');
    count += 256;
  }
  return count / ((performance.now() - started) / 1000);
}

/** Options of {@link machineFacts}. */
export interface MachineFactsOptions {
  /** Where fsync is measured: the directory the systems keep their data in. */
  dir: string;
  /** Rounds of each measurement (default 5); fsync and SHA-256 alternate. */
  rounds?: number;
  /** Seconds per round of each (default 0.3). */
  secondsPerRound?: number;
}

/**
 * Describes the machine and measures its fsync and SHA-256 rates.
 *
 * @param options - directory, rounds
 * @returns the facts recorded in the result document
 */
export function machineFacts(options: MachineFactsOptions): MachineFacts {
  const rounds = options.rounds ?? 5;
  const seconds = options.secondsPerRound ?? 0.3;
  const loadAverage = loadavg();
  const fsyncs: number[] = [];
  const hashes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    fsyncs.push(measureFsync(options.dir, seconds));
    hashes.push(measureSha256(seconds));
  }
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    platform: process.platform,
    arch: process.arch,
    kernel: release(),
    node: process.version,
    loadAverage,
    fsyncPerSecond: spread(fsyncs),
    sha256PerSecond: spread(hashes),
    tmpDir: options.dir,
  };
}
