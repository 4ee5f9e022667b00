import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditTrail } from '../../src/audit/audit-trail.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { openDataDir } from '../access/access-app.js';

/** A data dir with `n` audit rows written through the trail; returns it with a handle on the database. */
function trailWith(n: number): { dir: string; trail: AuditTrail; db: ReturnType<typeof openDataDir>['db'] } {
  const dir = join(tempDir('sonoedge-audit-'), 'data');
  const { db, deviceSecret } = openDataDir(dir);
  const trail = new AuditTrail(db, deviceSecret);
  for (let i = 1; i <= n; i++) trail.record({ user: 'alice', role: 'clinician', client: '10.0.0.7', action: 'exam.read', target: `exam-${i}`, outcome: 'ok' });
  return { dir, trail, db };
}

/** What someone holding only the database key can do: drop the triggers and rewrite rows. */
function tamper(db: ReturnType<typeof openDataDir>['db'], sql: string, ...args: unknown[]): void {
  db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
  db.prepare(sql).run(...args);
}

describe('audit trail', () => {
  it('chains rows, filters them, and verifies an untouched trail', () => {
    const { trail, db } = trailWith(5);
    trail.record({ user: null, client: '10.0.0.9', action: 'session.sign-in', target: 'bob', outcome: 'failed', details: { reason: 'wrong secret' } });
    expect(trail.verify()).toEqual({ ok: true, rows: 6 });
    expect(trail.list({ action: 'session.' }).map((r) => r.target)).toEqual(['bob']);
    expect(trail.list({ user: 'alice', limit: 2 }).map((r) => r.id)).toEqual([5, 4]);
    expect(trail.list({ beforeId: 3 }).map((r) => r.id)).toEqual([2, 1]);
    expect(trail.list({ outcome: 'failed' })[0]!.details).toEqual({ reason: 'wrong secret' });
    db.close();
  });

  it('refuses UPDATE and DELETE with triggers', () => {
    const { db } = trailWith(2);
    expect(() => db.prepare("UPDATE audit SET outcome = 'ok' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit WHERE id = 1').run()).toThrow(/append-only/);
    db.close();
  });

  it('names an edited row, even when its hash was recomputed without the device secret', () => {
    const { trail, db } = trailWith(5);
    tamper(db, "UPDATE audit SET target = 'exam-999' WHERE id = 3");
    expect(trail.verify()).toMatchObject({ ok: false, firstBadId: 3, problem: 'edited' });
    // a forger with the database key but another secret cannot make the row check out
    const forger = new AuditTrail(db, 'not-the-device-secret');
    expect(forger.verify()).toMatchObject({ ok: false, firstBadId: 1 });
    db.close();
  });

  it('names a removed row in the middle, and rows cut from the end once the next row is written', () => {
    const middle = trailWith(5);
    tamper(middle.db, 'DELETE FROM audit WHERE id = 2');
    expect(middle.trail.verify()).toMatchObject({ ok: false, firstBadId: 2, problem: 'removed' });
    middle.db.close();
    const tail = trailWith(5);
    tamper(tail.db, 'DELETE FROM audit WHERE id >= 4');
    tail.trail.record({ action: 'config.reload', outcome: 'ok' });
    expect(tail.trail.verify()).toMatchObject({ ok: false, firstBadId: 4, problem: 'removed' });
    tail.db.close();
  });

  it('names the first of two rows swapped', () => {
    const { trail, db } = trailWith(5);
    const [a, b] = [2, 3].map((id) => db.prepare('SELECT * FROM audit WHERE id = ?').get(id) as Record<string, unknown>);
    tamper(db, 'DELETE FROM audit WHERE id IN (2, 3)');
    const insert = db.prepare('INSERT INTO audit (id, at, user, role, client, action, target, outcome, details_json, prev_hash, hash) VALUES (@id, @at, @user, @role, @client, @action, @target, @outcome, @details_json, @prev_hash, @hash)');
    insert.run({ ...b, id: 2 });
    insert.run({ ...a, id: 3 });
    expect(trail.verify()).toMatchObject({ ok: false, firstBadId: 2 });
    db.close();
  });

  it('`sonoedge audit verify` exits 0 on an intact trail and 1 naming an edited or a deleted row', () => {
    const edited = trailWith(4);
    expect(runCli(['audit', 'verify', '--data-dir', edited.dir])).toMatchObject({ status: 0, stdout: 'audit trail intact: 4 rows\n' });
    tamper(edited.db, "UPDATE audit SET user = 'mallory' WHERE id = 2");
    edited.db.close();
    const r1 = runCli(['audit', 'verify', '--data-dir', edited.dir]);
    expect(r1.status).toBe(1);
    expect(r1.stdout).toMatch(/^Audit row 2 was edited/);
    const deleted = trailWith(4);
    tamper(deleted.db, 'DELETE FROM audit WHERE id = 3');
    deleted.db.close();
    const r2 = runCli(['audit', 'verify', '--data-dir', deleted.dir]);
    expect(r2.status).toBe(1);
    expect(r2.stdout).toMatch(/^Audit row 3 was removed/);
  });
});
