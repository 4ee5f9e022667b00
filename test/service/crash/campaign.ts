/**
 * The kill campaign: the real daemon (`sonoedge serve`, its own process) is driven through the HTTP API —
 * start an exam, capture the live frame, confirm a measurement, close — and killed with SIGKILL at a random
 * point, again and again. After every kill the database is opened as the crash left it: `PRAGMA
 * integrity_check` must say ok, foreign keys must hold, and every exam, capture, decision and close the API
 * acknowledged (answered 2xx) in any round must be there; no exam may hold a capture twice.
 * Used by scripts/crash-campaign.ts (the full campaign) and test/service/crash-campaign.test.ts (a few rounds).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRecordsFile } from '../../../src/service/records-file.js';
import { ErrorCodes } from '../../../src/errors.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { addTokenUserIn } from '../../helpers/auth.js';
import type { OrthancServer } from '../../helpers/orthanc.js';
import { type SyncFigures, backlog, sentCount, syncConfig, verifySync } from './sync-check.js';

export type Phase = 'startup' | 'exam' | 'capture' | 'decision' | 'close' | 'between';

export interface Ledger {
  exams: Set<string>;
  captures: Map<string, string>;
  decisions: Set<string>;
  closed: Set<string>;
}

export interface CampaignOptions {
  rounds: number;
  dir: string;
  seed?: number;
  /** After ready, the kill comes within this many ms. */
  workMs?: number;
  /** Share of kills aimed at start-up (migrations, key, model loading). */
  startupShare?: number;
  log?: (line: string) => void;
  /** A real PACS: the daemon sends every closed exam to it while being killed; checked after a final drain (sync-check.ts). */
  pacs?: OrthancServer;
  /** How long the final drain may take. */
  drainTimeoutMs?: number;
}

export interface CampaignFigures {
  rounds: number;
  kills: Record<Phase, number>;
  acknowledged: { exams: number; captures: number; decisions: number; closed: number };
  /** Exams and captures in the database that were never acknowledged (in flight at a kill): allowed, counted at the end. */
  unacknowledgedPresent: number;
  violations: string[];
  seconds: number;
  /** With a PACS: what was queued, sent and received; rounds killed while the sync process was delivering. */
  sync?: SyncFigures & { roundsWithDeliveries: number; drainSeconds: number };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CONFIG = `source: { driver: simulated }
drivers: { simulated: { fps: 15, width: 160, height: 120 } }
models: [{ id: fetal-head }]
inference: { providers: [cpu], warmupRuns: 0 }
log: { level: warn }
`;

export function startDaemon(dir: string, env: NodeJS.ProcessEnv = {}): { proc: ChildProcess; ready: Promise<string>; exited: Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src/cli.ts'), 'serve', '--config', join(dir, 'config.yaml'), '--data-dir', join(dir, 'data'), '--port', '0'], {
    cwd: packageRoot(), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CREDENTIALS_DIRECTORY: '', ...env },
  });
  let err = '';
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  const ready = new Promise<string>((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /sonoedge is running: open (\S+)\//.exec(err);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`daemon exited before ready: ${err.slice(-800)}`)));
  });
  ready.catch(() => {});
  return { proc, ready, exited };
}

/** The clinician token every request carries (routes but health need one): made once per data folder. */
let authorization = '';

/** Adds a clinician account and token to the data folder (what `sonoedge users add` and `tokens create` do). */
export async function authorize(dataDir: string): Promise<void> {
  authorization = (await addTokenUserIn(dataDir, 'clinician')).headers.authorization;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

/** Drives exams until the daemon dies; records what was acknowledged and what was in flight. */
export async function drive(url: string, ledger: Ledger, state: { phase: Phase; stop: boolean }, once = false): Promise<void> {
  while (!state.stop) {
    state.phase = 'exam';
    const exam = await post(`${url}/api/exams`, { patient: { name: 'CRASH^TEST', id: 'C-1' }, operator: 'crash' });
    if (exam.status !== 201) throw new Error(`POST /api/exams answered ${exam.status}: ${JSON.stringify(exam.json)}`);
    const examId = String(exam.json.id);
    ledger.exams.add(examId);
    state.phase = 'capture';
    let cap = await post(`${url}/api/exams/${examId}/captures`, {});
    // no frame with a result yet (just started): not stored, try again shortly
    for (let i = 0; cap.status === 409 && i < 100 && !state.stop; i++) {
      await new Promise((r) => setTimeout(r, 50));
      cap = await post(`${url}/api/exams/${examId}/captures`, {});
    }
    if (cap.status !== 201) throw new Error(`capture answered ${cap.status}: ${JSON.stringify(cap.json)}`);
    ledger.captures.set(String(cap.json.id), examId);
    const m = (cap.json.measurements as Array<{ id: string }> | undefined)?.[0];
    if (m) {
      state.phase = 'decision';
      const d = await post(`${url}/api/measurements/${m.id}/decision`, { decision: 'confirmed', by: 'crash' });
      if (d.status !== 200) throw new Error(`decision answered ${d.status}: ${JSON.stringify(d.json)}`);
      ledger.decisions.add(m.id);
    }
    state.phase = 'close';
    const c = await post(`${url}/api/exams/${examId}/close`, {});
    if (c.status !== 200) throw new Error(`close answered ${c.status}: ${JSON.stringify(c.json)}`);
    ledger.closed.add(examId);
    state.phase = 'between';
    if (once) return;
  }
}

/** Opens the database as the crash left it and checks it against everything acknowledged so far. */
export function verify(dataDir: string, ledger: Ledger): { violations: string[]; unacknowledged: number } {
  const violations: string[] = [];
  const keyFile = join(dataDir, 'keys', 'records.key');
  // killed before the first start made its key and database: fine while nothing was acknowledged
  if (!existsSync(keyFile) || !existsSync(join(dataDir, 'records.db'))) {
    return { violations: ledger.exams.size > 0 ? [`${existsSync(keyFile) ? 'records.db' : 'the key file'} is gone`] : [], unacknowledged: 0 };
  }
  const key = readFileSync(keyFile, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(key)) return { violations: [`the key file ${keyFile} is torn (${key.length} characters): the daemon can never start again`], unacknowledged: 0 };
  const db = openRecordsFile(join(dataDir, 'records.db'), key, ErrorCodes.DATABASE_FAILED);
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') violations.push(`integrity_check: ${String(check)}`);
    const fk = db.pragma('foreign_key_check') as unknown[];
    if (fk.length > 0) violations.push(`foreign_key_check: ${JSON.stringify(fk).slice(0, 300)}`);
    const hasExams = db.prepare("SELECT count(*) n FROM sqlite_master WHERE name = 'exams'").get() as { n: number };
    if (hasExams.n === 0) {
      if (ledger.exams.size > 0) violations.push('the exams table is gone');
      return { violations, unacknowledged: 0 };
    }
    const exams = new Map((db.prepare('SELECT id, closed_at FROM exams').all() as Array<{ id: string; closed_at: string | null }>).map((e) => [e.id, e.closed_at]));
    const captures = new Map((db.prepare('SELECT id, exam_id FROM captures').all() as Array<{ id: string; exam_id: string }>).map((c) => [c.id, c.exam_id]));
    const states = new Map((db.prepare('SELECT id, state FROM measurements').all() as Array<{ id: string; state: string }>).map((m) => [m.id, m.state]));
    for (const id of ledger.exams) if (!exams.has(id)) violations.push(`acknowledged exam ${id} is missing`);
    for (const [id, examId] of ledger.captures) if (captures.get(id) !== examId) violations.push(`acknowledged capture ${id} of exam ${examId} is missing`);
    for (const id of ledger.decisions) if (states.get(id) !== 'confirmed') violations.push(`acknowledged decision on ${id} is ${String(states.get(id))}`);
    for (const id of ledger.closed) if (!exams.get(id)) violations.push(`acknowledged close of exam ${id} is lost`);
    const perExam = new Map<string, number>();
    for (const examId of captures.values()) perExam.set(examId, (perExam.get(examId) ?? 0) + 1);
    for (const [examId, n] of perExam) if (n > 1) violations.push(`exam ${examId} holds ${n} captures; one was taken`);
    const unacknowledged = [...exams.keys()].filter((id) => !ledger.exams.has(id)).length + [...captures.keys()].filter((id) => !ledger.captures.has(id)).length;
    return { violations, unacknowledged };
  } finally {
    db.close();
  }
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignFigures> {
  const t0 = Date.now();
  const rand = mulberry32(options.seed ?? 1);
  const log = options.log ?? (() => {});
  mkdirSync(options.dir, { recursive: true });
  writeFileSync(join(options.dir, 'config.yaml'), CONFIG + (options.pacs ? syncConfig(options.pacs) : ''));
  await authorize(join(options.dir, 'data'));
  const ledger: Ledger = { exams: new Set(), captures: new Map(), decisions: new Set(), closed: new Set() };
  const kills: Record<Phase, number> = { startup: 0, exam: 0, capture: 0, decision: 0, close: 0, between: 0 };
  const violations: string[] = [];
  let unacknowledgedPresent = 0;
  let startupMs = 3000;
  let sent = 0;
  let roundsWithDeliveries = 0;
  for (let round = 1; round <= options.rounds; round++) {
    const started = Date.now();
    const d = startDaemon(options.dir);
    const state = { phase: 'startup' as Phase, stop: false };
    const atStartup = rand() < (options.startupShare ?? 0.15);
    const delay = atStartup ? rand() * startupMs : rand() * (options.workMs ?? 1500);
    let driving: Promise<void> | undefined;
    if (atStartup) {
      await Promise.race([new Promise((r) => setTimeout(r, delay)), d.exited]);
    } else {
      const url = await d.ready;
      startupMs = Date.now() - started;
      driving = drive(url, ledger, state).catch((err: unknown) => {
        if (!state.stop) throw err;
      });
      await Promise.race([new Promise((r) => setTimeout(r, delay)), driving]);
    }
    const phase = state.phase;
    state.stop = true;
    d.proc.kill('SIGKILL');
    await d.exited;
    await driving?.catch((err: unknown) => violations.push(`round ${round}: the workload failed before the kill: ${String(err)}`));
    kills[phase]++;
    const v = verify(join(options.dir, 'data'), ledger);
    unacknowledgedPresent = v.unacknowledged;
    for (const x of v.violations) violations.push(`round ${round} (killed in ${phase}): ${x}`);
    const sentNow = options.pacs ? sentCount(join(options.dir, 'data')) : 0;
    const delivering = sentNow > sent;
    if (delivering) roundsWithDeliveries++;
    sent = sentNow;
    log(
      `round ${round}/${options.rounds}: killed in ${phase} after ${Math.round(delay)} ms; acknowledged so far ${ledger.exams.size} exams, ${ledger.captures.size} captures, ${ledger.decisions.size} decisions, ${ledger.closed.size} closes; ${v.violations.length} violations${options.pacs ? `; ${sentNow} instances sent${delivering ? ' (delivering in this round)' : ''}` : ''}`,
    );
    if (violations.length > 20) break;
  }
  const sync = options.pacs ? await drainAndCheck(options.dir, ledger, options.pacs, options.drainTimeoutMs ?? 900_000, log) : undefined;
  if (sync) {
    sync.roundsWithDeliveries = roundsWithDeliveries;
    violations.push(...sync.violations.map((x) => `after the drain: ${x}`));
  }
  return {
    ...(sync ? { sync } : {}),
    rounds: options.rounds, kills,
    acknowledged: { exams: ledger.exams.size, captures: ledger.captures.size, decisions: ledger.decisions.size, closed: ledger.closed.size },
    unacknowledgedPresent, violations, seconds: Math.round((Date.now() - t0) / 1000),
  };
}

/** Runs the daemon undisturbed until its outbox is empty (held images aside), stops it with SIGTERM, checks the PACS. */
async function drainAndCheck(dir: string, ledger: Ledger, pacs: OrthancServer, timeoutMs: number, log: (line: string) => void): Promise<NonNullable<CampaignFigures['sync']>> {
  const t0 = Date.now();
  const dataDir = join(dir, 'data');
  const d = startDaemon(dir);
  await d.ready;
  let left = backlog(dataDir);
  while (left.pending + left.checking > 0 && Date.now() - t0 < timeoutMs) {
    await new Promise((r) => setTimeout(r, 500));
    left = backlog(dataDir);
    log(`drain: ${left.pending} instances pending, ${left.checking} images at the OCR gate`);
  }
  d.proc.kill('SIGTERM');
  await d.exited;
  const figures = await verifySync(dataDir, ledger.closed, pacs);
  if (left.pending + left.checking > 0) figures.violations.push(`the outbox did not drain within ${timeoutMs / 1000} s (${left.pending} pending, ${left.checking} checking)`);
  return { ...figures, roundsWithDeliveries: 0, drainSeconds: Math.round((Date.now() - t0) / 1000) };
}
