/**
 * The full kill campaign (test/service/crash/campaign.ts): SIGKILL the real daemon at random points while it
 * takes exams, captures, decisions and closes, then check the database as each crash left it.
 *   npx tsx scripts/crash-campaign.ts [--rounds 1000] [--seed 1] [--work-ms 1500] [--dir /tmp/crash] [--json FILE]
 * Exits 1 on any violation. Figures go to stdout (and --json FILE).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCampaign } from '../test/service/crash/campaign.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' }, 'work-ms': { type: 'string', default: '1500' }, dir: { type: 'string' }, json: { type: 'string' } } });
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'sonoedge-crash-'));
const figures = await runCampaign({
  rounds: Number(values.rounds), seed: Number(values.seed), workMs: Number(values['work-ms']), dir,
  log: (line) => process.stderr.write(line + '\n'),
});
const text = JSON.stringify({ ...figures, dir }, null, 2);
process.stdout.write(text + '\n');
if (values.json) writeFileSync(values.json, text + '\n');
process.exit(figures.violations.length === 0 ? 0 : 1);
