/**
 * The full kill campaign (test/service/crash/campaign.ts): SIGKILL the real daemon at random points while it
 * takes exams, captures, decisions and closes, then check the database as each crash left it.
 *   npx tsx scripts/crash-campaign.ts [--rounds 1000] [--seed 1] [--work-ms 1500] [--dir /tmp/crash] [--json FILE]
 * With --io-errors: the I/O-error loop instead (test/service/io-errors/io-loop.ts), every N from 1 to the
 * writes of one whole exam, ENOSPC (sticky) and EIO (once). Needs gcc for the LD_PRELOAD shim.
 * With --orthanc: a real Orthanc (Debian orthanc + orthanc-dicomweb) is the sync target; kills land while the
 * sync process delivers too, and after the last round the outbox is drained and checked against the PACS
 * (test/service/crash/sync-check.ts: nothing acknowledged never arrives, nothing arrives twice).
 * Exits 1 on any violation. Figures go to stdout (and --json FILE), progress to stderr.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCampaign } from '../test/service/crash/campaign.js';
import { OrthancServer, orthancAvailable } from '../test/helpers/orthanc.js';
import { type IoRun, buildShim, countWrites, makeTemplate, runOnce } from '../test/service/io-errors/io-loop.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    'work-ms': { type: 'string', default: '1500' },
    dir: { type: 'string' },
    json: { type: 'string' },
    'io-errors': { type: 'boolean', default: false },
    orthanc: { type: 'boolean', default: false },
  },
});
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'sonoedge-crash-'));
mkdirSync(dir, { recursive: true });
const log = (line: string): void => void process.stderr.write(line + '\n');

async function ioErrors(): Promise<{ figures: object; ok: boolean }> {
  const shim = buildShim(dir);
  if (!shim) throw new Error('gcc could not build the LD_PRELOAD shim');
  const template = await makeTemplate(join(dir, 'template'));
  const total = await countWrites({ dir, template, shim });
  const runs: IoRun[] = [];
  for (const errno of ['ENOSPC', 'EIO'] as const) {
    for (let n = 1; n <= total; n++) {
      const r = await runOnce({ dir, template, shim, errno, n });
      runs.push(r);
      log(`${errno} N=${n}/${total}: failed at ${r.failedAt.split(':')[0]}, health ${r.healthAfter}, ${r.violations.length} violations`);
    }
  }
  const bad = runs.filter((r) => r.violations.length > 0 || r.failedAt === 'none' || (!r.failedAt.startsWith('startup') && r.healthAfter !== 200));
  const where = Object.fromEntries(['startup', 'exam', 'capture', 'decision', 'close', 'none'].map((p) => [p, runs.filter((r) => r.failedAt.split(':')[0] === p).length]));
  return { figures: { writesPerExamRun: total, runs: runs.length, failedAt: where, bad }, ok: bad.length === 0 };
}

if (values.orthanc && !orthancAvailable) throw new Error('--orthanc needs /usr/sbin/Orthanc and its DICOMweb plugin (apt install orthanc orthanc-dicomweb)');
const pacs = values.orthanc ? await OrthancServer.create(join(dir, 'orthanc')) : undefined;
const result = values['io-errors']
  ? await ioErrors()
  : await runCampaign({ rounds: Number(values.rounds), seed: Number(values.seed), workMs: Number(values['work-ms']), dir, log, pacs })
      .then((f) => ({ figures: f, ok: f.violations.length === 0 }))
      .finally(() => pacs?.kill());
const text = JSON.stringify({ ...result.figures, dir }, null, 2);
process.stdout.write(text + '\n');
if (values.json) writeFileSync(values.json, text + '\n');
process.exit(result.ok ? 0 : 1);
