/** `sonoedge doctor` as a real process: the disk against the guard's levels, the clock, the unit's hardening. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

describe('sonoedge doctor (service lines)', () => {
  it('says the disk is below the refuse level with what to do, prints the clock and the unit hardening line', () => {
    const dir = tempDir('sonoedge-doctor-');
    const config = join(dir, 'config.yaml');
    // levels far above any real disk: the guard must say "refuse"
    writeFileSync(config, `dataDir: ${join(dir, 'data')}\nstorage:\n  warnFreeMb: 900000000\n  stopCineFreeMb: 800000000\n  refuseFreeMb: 700000000\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'doctor', '--config', config], { encoding: 'utf8', timeout: 120_000 });
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/^disk .*data: \d+ MiB free \(warn < 900000000, no cine < 800000000, refuse < 700000000\) — Disk almost full: .*new exams and captures are refused .*; free space$/m);
    expect(out).toMatch(/^clock: \d{4}-\d\d-\d\dT/m);
    expect(out).toMatch(/^unit hardening: /m);
  });
});
