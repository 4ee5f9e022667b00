/**
 * Retention wired into a real in-process daemon (src/app/disk-wiring.ts): its records file already holds a
 * signed exam both sync targets acknowledged, closed long ago, and one never signed; with
 * storage.retention.dropPixelsAfterDays set, the daemon's start-up pass drops the first one's pixels, audits it
 * in its own hash-chained trail, and leaves the other alone.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { TARGETS, makeExam } from './fixtures/acknowledged-exam.js';

describe('retention in the daemon', () => {
  it('drops the pixels of an old acknowledged, signed exam at start-up, audited; an unsigned one keeps them', async () => {
    const dir = tempDir('sonoedge-retention-daemon-');
    const dataDir = join(dir, 'data');
    const db = openDatabase(join(dataDir, 'records.db'), loadOrCreateKey(join(dataDir, 'keys', 'records.key'), {}));
    const due = makeExam(db, 'due');
    const unsigned = makeExam(db, 'unsigned');
    // closed 40 days ago (the fixture closes them now)
    db.prepare('UPDATE exams SET closed_at = ?').run(new Date(Date.now() - 40 * 86_400_000).toISOString());
    db.close();

    let d: TestDaemon | undefined;
    try {
      d = await startTestDaemon(dir, {
        models: [],
        storage: { retention: { dropPixelsAfterDays: 30 } },
        // targets that do not answer: retention reads what they acknowledged before, from the outbox
        sync: { targets: TARGETS.map((name, i) => ({ name, url: `http://127.0.0.1:9/pacs-${i}` })) },
      });
      const audit = d.runtime.access.services.audit;
      const t0 = Date.now();
      while (audit.list({ action: 'retention.drop-pixels' }).length === 0) {
        if (Date.now() - t0 > 20_000) throw new Error('no retention.drop-pixels audit row within 20 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      const rows = audit.list({ action: 'retention.drop-pixels' });
      expect(rows.map((r) => r.target)).toEqual([due]);
      expect(rows[0]!.details).toMatchObject({ afterDays: 30, captures: 1, images: 4 });
      expect(audit.verify().ok).toBe(true);
      const px = (id: string): number => (d!.db.prepare('SELECT sum(length(pixels)) n FROM captures WHERE exam_id = ?').get(id) as { n: number }).n;
      expect(px(due)).toBe(0);
      expect(px(unsigned)).toBeGreaterThan(0);
      // the record is whole: the exam reads through the API with its capture and measurements
      const exam = (await (await fetch(`${d.url}/api/exams/${due}`)).json()) as { captures: Array<{ measurements: unknown[] }> };
      expect(exam.captures).toHaveLength(1);
      expect(exam.captures[0]!.measurements.length).toBeGreaterThan(0);
    } finally {
      await d?.close();
    }
  }, 60_000);
});
