/**
 * A visit is dated on the clinic's calendar, not UTC's: a scan at 00:30 in a UTC+3 clinic (Asia/Riyadh, no
 * daylight saving) is stored as 21:30 UTC the day before, and its point on the growth chart
 * (GET /api/patients/:id/growth, PatientRecords.hcVisits) is the clinic's day. Real encrypted SQLite; the
 * zone given to PatientRecords, and the daemon's default read from TZ in a child process as a daemon started
 * with TZ would read it. UTC is the control: the same exams keep their UTC days there.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { PatientRecords, localDate } from '../../src/records/patient-records.js';
import { packageRoot } from '../../src/util/package-root.js';
import { tempDir } from '../helpers/tmp.js';

/** Stored instants (UTC) and the day each is in Riyadh (UTC+3) and in UTC. */
const SCANS = [
  { at: '2026-05-09T21:30:00.000Z', riyadh: '2026-05-10', utc: '2026-05-09' }, // 00:30 local, the next day
  { at: '2026-06-06T20:59:59.000Z', riyadh: '2026-06-06', utc: '2026-06-06' }, // 23:59:59 local, the same day
  { at: '2026-07-04T21:00:00.000Z', riyadh: '2026-07-05', utc: '2026-07-04' }, // local midnight exactly
];

/** What a child process with `TZ` reads: the default zone, as the daemon's patients route builds PatientRecords. */
const SCRIPT = `
import { join } from 'node:path';
import { loadOrCreateKey, openDatabase } from './src/records/database.js';
import { PatientRecords } from './src/records/patient-records.js';
import { ExamStore } from './src/records/exam-store.js';
const dir = process.argv[2];
const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
const exams = new ExamStore(db);
const examRoute = exams.hcVisits(exams.listExams({ patientId: 'TZ-1' })[0].id).map((v) => v.date);
console.log(JSON.stringify({ zone: Intl.DateTimeFormat().resolvedOptions().timeZone, dates: new PatientRecords(db).hcVisits('TZ-1').map((v) => v.date), examRoute }));
db.close();
`;

describe('HC visits are dated on the clinic calendar', () => {
  const dir = tempDir('hc-visits-tz-');
  const db = openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {}));
  const store = new ExamStore(db);
  for (const [i, s] of SCANS.entries()) {
    const exam = store.createExam({ patient: { name: 'TZ^PATIENT', id: 'TZ-1', sex: 'F' }, datingGaWeeks: 16 + 4 * i });
    const px = new Uint8Array(64 * 48).fill(30);
    const cap = store.addCapture(
      exam.id,
      {
        frameSeq: i,
        width: 64,
        height: 48,
        channels: 1,
        pixels: px,
        pixelSpacing: { x: 0.2, y: 0.2 },
        region: { x: 0, y: 0, width: 64, height: 48 },
        results: [{ modelId: 'fetal-head', modelVersion: '1', provider: 'cpu', result: { task: 'fetal-head', hcMm: 130 + 30 * i } as never }],
      },
      null,
    );
    store.decide(cap.measurements.find((m) => m.kind === 'hc')!.id, { decision: 'confirmed', by: 'Dr Alice Martin' });
    // the scan's instant as the daemon stores it (ISO, UTC)
    db.prepare('UPDATE exams SET created_at = ? WHERE id = ?').run(s.at, exam.id);
  }

  it('a UTC+3 clinic: 00:30 local is that day, 23:59:59 stays, local midnight is the new day', () => {
    expect(new PatientRecords(db, 'Asia/Riyadh').hcVisits('TZ-1').map((v) => v.date)).toEqual(SCANS.map((s) => s.riyadh));
    expect(new PatientRecords(db, 'UTC').hcVisits('TZ-1').map((v) => v.date)).toEqual(SCANS.map((s) => s.utc));
    // west of UTC the day can go back: 01:00 UTC is the evening before in a UTC-5 clinic (Bogotá, no daylight saving)
    expect(localDate('2026-05-10T01:00:00.000Z', 'America/Bogota')).toBe('2026-05-09');
  });

  it("the daemon's default is its process's zone (TZ): a child process started with TZ=Asia/Riyadh dates the visits there", () => {
    const script = join(dir, 'visits.mts');
    writeFileSync(script, SCRIPT.replaceAll('./src/', `${packageRoot()}/src/`));
    // both the patient's growth route and the exam's (GET /api/exams/:id/growth, ExamStore.hcVisits)
    const run = (tz: string): { zone: string; dates: string[]; examRoute: string[] } => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', script, dir], { encoding: 'utf8', cwd: packageRoot(), timeout: 60_000, env: { ...process.env, TZ: tz } });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as { zone: string; dates: string[]; examRoute: string[] };
    };
    expect(run('Asia/Riyadh')).toEqual({ zone: 'Asia/Riyadh', dates: SCANS.map((s) => s.riyadh), examRoute: SCANS.map((s) => s.riyadh) });
    expect(run('UTC')).toEqual({ zone: 'UTC', dates: SCANS.map((s) => s.utc), examRoute: SCANS.map((s) => s.utc) });
  });
});
