import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditTrail, auditKey, GENESIS_HASH, rowHash, VERIFY_SLICE_ROWS } from '../../src/audit/audit-trail.js';
import type { ChainRow } from '../../src/audit/verify.js';
import type { Db } from '../../src/records/database.js';
import { tempDir } from '../helpers/tmp.js';
import { appendChainedRows, INSERT_AUDIT_ROW } from './trail-rows.js';
import { openDataDir } from '../access/access-app.js';

const INSERT = INSERT_AUDIT_ROW;

/** A trail of `n` rows: the first few through record(), the rest chained the same way in one transaction. */
function trailWith(n: number): { trail: AuditTrail; db: Db; deviceSecret: string } {
  const { db, deviceSecret } = openDataDir(join(tempDir('sonoedge-audit-slices-'), 'data'));
  const trail = new AuditTrail(db, deviceSecret);
  const viaRecord = Math.min(n, 3);
  for (let i = 1; i <= viaRecord; i++) trail.record({ user: 'alice', role: 'clinician', client: '10.0.0.7', action: 'exam.read', target: `exam-${i}`, outcome: 'ok' });
  appendChainedRows(db, deviceSecret, viaRecord + 1, n);
  return { trail, db, deviceSecret };
}

function tamper(db: Db, sql: string, ...args: unknown[]): void {
  db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
  db.prepare(sql).run(...args);
}

function swap(db: Db, a: number, b: number): void {
  const [ra, rb] = [a, b].map((id) => db.prepare('SELECT * FROM audit WHERE id = ?').get(id) as Record<string, unknown>);
  tamper(db, 'DELETE FROM audit WHERE id IN (?, ?)', a, b);
  db.prepare(INSERT).run({ ...rb, id: a });
  db.prepare(INSERT).run({ ...ra, id: b });
}

/** verifyInSlices gives exactly what verify() gives, whatever the slice size (slices of 1 and 2 cut the chain between every pair of rows). */
async function expectSameAsVerify(trail: AuditTrail, sliceSizes = [1, 2, 3, VERIFY_SLICE_ROWS]): Promise<void> {
  const whole = trail.verify();
  for (const size of sliceSizes) expect(await trail.verifyInSlices(size)).toEqual(whole);
}

describe('audit verify in slices', () => {
  it('lets a 10 ms timer keep firing while 50,000 rows are checked, with the same result as verify()', async () => {
    const { trail, db } = trailWith(50_000);
    const whole = trail.verify();
    expect(whole).toEqual({ ok: true, rows: 50_000 });
    let ticks = 0;
    let last = performance.now();
    let longestGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const started = performance.now();
    last = started;
    const result = await trail.verifyInSlices();
    const took = performance.now() - started;
    clearInterval(timer);
    longestGap = Math.max(longestGap, performance.now() - last);
    expect(result).toEqual(whole);
    // 50 slices of 1,000 rows with a turn of the event loop after each: the timer fires between them. Checked
    // in one go (verify()), it fires 0 times, and the longest gap is the whole check.
    expect(ticks).toBeGreaterThanOrEqual(5);
    expect(longestGap).toBeLessThan(took / 2);
    db.close();
  });

  it('names the same first bad row as verify() when a row is edited, removed or two are swapped, in 50,000 rows across a slice boundary', async () => {
    const { trail, db } = trailWith(50_000);
    tamper(db, "UPDATE audit SET target = 'exam-999' WHERE id = 30001");
    expect(await trail.verifyInSlices()).toEqual(trail.verify());
    expect(trail.verify()).toMatchObject({ ok: false, firstBadId: 30001, problem: 'edited', rows: 30001 });
    tamper(db, "UPDATE audit SET target = 'exam-30001' WHERE id = 30001");
    swap(db, 20000, 20001);
    expect(await trail.verifyInSlices()).toEqual(trail.verify());
    expect(trail.verify()).toMatchObject({ ok: false, firstBadId: 20000, problem: 'edited' });
    swap(db, 20000, 20001);
    tamper(db, 'DELETE FROM audit WHERE id = 10001');
    expect(await trail.verifyInSlices()).toEqual(trail.verify());
    expect(trail.verify()).toMatchObject({ ok: false, firstBadId: 10001, problem: 'removed', rows: 10001 });
    db.close();
  });

  it('gives what verify() gives on an intact, an edited, a re-linked, a cut and an empty trail, with any slice size', async () => {
    const empty = trailWith(0);
    await expectSameAsVerify(empty.trail);
    expect(await empty.trail.verifyInSlices()).toEqual({ ok: true, rows: 0 });
    empty.db.close();

    const intact = trailWith(7);
    await expectSameAsVerify(intact.trail);
    expect(await intact.trail.verifyInSlices(2)).toEqual({ ok: true, rows: 7 });
    intact.db.close();

    const edited = trailWith(7);
    tamper(edited.db, "UPDATE audit SET user = 'mallory' WHERE id = 3");
    await expectSameAsVerify(edited.trail);
    await expectSameAsVerify(new AuditTrail(edited.db, 'not-the-device-secret'));
    edited.db.close();

    // a row re-hashed under the right key but linked to the wrong predecessor: 'reordered'
    const relinked = trailWith(7);
    tamper(relinked.db, 'UPDATE audit SET prev_hash = ? WHERE id = 5', GENESIS_HASH);
    expect(relinked.trail.verify()).toMatchObject({ problem: 'edited' });
    const row = relinked.db.prepare('SELECT * FROM audit WHERE id = 5').get() as ChainRow;
    tamper(relinked.db, 'UPDATE audit SET hash = ? WHERE id = 5', rowHash(auditKey(relinked.deviceSecret), row));
    expect(relinked.trail.verify()).toMatchObject({ ok: false, firstBadId: 5, problem: 'reordered' });
    await expectSameAsVerify(relinked.trail);
    relinked.db.close();

    const swapped = trailWith(7);
    swap(swapped.db, 2, 3);
    await expectSameAsVerify(swapped.trail);
    swapped.db.close();

    const head = trailWith(7);
    tamper(head.db, 'DELETE FROM audit WHERE id <= 2');
    await expectSameAsVerify(head.trail);
    head.db.close();

    const tail = trailWith(7);
    tamper(tail.db, 'DELETE FROM audit WHERE id >= 5');
    tail.trail.record({ action: 'config.reload', outcome: 'ok' });
    await expectSameAsVerify(tail.trail);
    expect(await tail.trail.verifyInSlices(2)).toMatchObject({ ok: false, firstBadId: 5, problem: 'removed' });
    tail.db.close();

    // a row slipped in below id 1 is seen first, as verify() sees it
    const below = trailWith(7);
    tamper(below.db, INSERT, { ...(below.db.prepare('SELECT * FROM audit WHERE id = 1').get() as ChainRow), id: 0 });
    expect(below.trail.verify()).toMatchObject({ ok: false });
    await expectSameAsVerify(below.trail);
    below.db.close();
  });

  it('checks the trail as it was when called: rows appended while it runs are left for the next verify', async () => {
    const { trail, db } = trailWith(6);
    const running = trail.verifyInSlices(2);
    // the first slice has been read; these land while the rest is still to come
    trail.record({ action: 'exam.read', target: 'exam-late-1', outcome: 'ok' });
    trail.record({ action: 'exam.read', target: 'exam-late-2', outcome: 'ok' });
    expect(await running).toEqual({ ok: true, rows: 6 });
    expect(await trail.verifyInSlices(2)).toEqual({ ok: true, rows: 8 });
    expect(trail.verify()).toEqual({ ok: true, rows: 8 });
    db.close();
  });
});
