/**
 * The I/O-error loop: the real daemon runs under an LD_PRELOAD shim (fail-nth-write.c, built with gcc) that
 * makes its N-th write or fsync to the records database fail with ENOSPC (and every later one: a full disk
 * stays full) or EIO (once: a transient fault), for N = 1, 2, … through a whole exam (create, capture,
 * decision, close). Each run: one exam driven through the HTTP API until a request fails, health must still
 * answer, then SIGKILL; the database as left must pass integrity_check and hold everything acknowledged.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/util/package-root.js';
import { CONFIG, type Ledger, authorize, drive, startDaemon, verify } from '../crash/campaign.js';

export type FailErrno = 'ENOSPC' | 'EIO';

export interface IoRun {
  errno: FailErrno;
  n: number;
  /** The first request that was refused (its route and status), or 'none' when the N-th write came after the exam. */
  failedAt: string;
  healthAfter: number;
  violations: string[];
}

/** Builds the shim with gcc; undefined when gcc is missing. */
export function buildShim(dir: string): string | undefined {
  const out = join(dir, 'fail-nth-write.so');
  const r = spawnSync('gcc', ['-shared', '-fPIC', '-O2', '-o', out, join(packageRoot(), 'test/service/io-errors/fail-nth-write.c'), '-ldl'], { encoding: 'utf8' });
  return r.status === 0 && existsSync(out) ? out : undefined;
}

/** A data folder with the key, migrated database and first start done, copied for every run. */
export async function makeTemplate(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.yaml'), CONFIG);
  await authorize(join(dir, 'data'));
  const d = startDaemon(dir);
  await d.ready;
  d.proc.kill('SIGTERM');
  await d.exited;
  return join(dir, 'data');
}

export async function runOnce(options: { dir: string; template: string; shim: string; errno: FailErrno; n: number; countFile?: string }): Promise<IoRun> {
  const runDir = join(options.dir, `${options.errno}-${options.n}`);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'config.yaml'), CONFIG);
  cpSync(options.template, join(runDir, 'data'), { recursive: true });
  const d = startDaemon(runDir, {
    LD_PRELOAD: options.shim, SONO_FAIL_MATCH: join(runDir, 'data', 'records.db'), SONO_FAIL_N: String(options.n), SONO_FAIL_ERRNO: options.errno,
    SONO_FAIL_STICKY: options.errno === 'ENOSPC' ? '1' : '0', ...(options.countFile ? { SONO_FAIL_COUNT_FILE: options.countFile } : {}),
  });
  const ledger: Ledger = { exams: new Set(), captures: new Map(), decisions: new Set(), closed: new Set() };
  let failedAt = 'none';
  let healthAfter = 0;
  try {
    const url = await d.ready;
    const state = { phase: 'exam' as const as Parameters<typeof drive>[2]['phase'], stop: false };
    try {
      await drive(url, ledger, state, true);
    } catch (err) {
      failedAt = `${state.phase}: ${String(err).slice(0, 160)}`;
    }
    healthAfter = (await fetch(`${url}/api/health`)).status;
  } catch (err) {
    failedAt = `startup: ${String(err).slice(0, 200)}`;
  }
  d.proc.kill('SIGKILL');
  await d.exited;
  const v = verify(join(runDir, 'data'), ledger);
  const result: IoRun = { errno: options.errno, n: options.n, failedAt, healthAfter, violations: v.violations };
  if (v.violations.length === 0) rmSync(runDir, { recursive: true, force: true });
  return result;
}

/** How many matching writes and syncs one exam makes (a run with no failure, counted by the shim). */
export async function countWrites(options: { dir: string; template: string; shim: string }): Promise<number> {
  const countFile = join(options.dir, 'count');
  await runOnce({ ...options, errno: 'EIO', n: 0, countFile });
  return Number(readFileSync(countFile, 'utf8').trim());
}
