import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAccess, principalIsLive } from '../../src/access/access.js';
import { LOCKOUT, delayAfter } from '../../src/access/lockout.js';
import { SecretHasher, checkSecretForm } from '../../src/access/secrets.js';
import { allows, ROLES, ACCESS_LEVELS } from '../../src/access/roles.js';
import { SignIn } from '../../src/access/sign-in.js';
import { UserStore } from '../../src/access/users.js';
import { AuditTrail } from '../../src/audit/audit-trail.js';
import { tempDir } from '../helpers/tmp.js';
import { openDataDir } from './access-app.js';

function freshAccess(): ReturnType<typeof openAccess> & { db: ReturnType<typeof openDataDir>['db'] } {
  const { db, deviceSecret } = openDataDir(join(tempDir('sonoedge-accounts-'), 'data'));
  return { ...openAccess(db, deviceSecret), db };
}

describe('roles', () => {
  it('admin may do everything, clinician and technician share only signed-in routes', () => {
    const table = Object.fromEntries(ROLES.map((r) => [r, ACCESS_LEVELS.filter((a) => allows(r, a))]));
    expect(table).toEqual({
      clinician: ['public', 'signed-in', 'clinician'],
      technician: ['public', 'signed-in', 'technician'],
      admin: ['public', 'signed-in', 'clinician', 'technician', 'admin'],
    });
    expect(ACCESS_LEVELS.filter((a) => allows(undefined, a))).toEqual(['public']);
  });
});

describe('secrets', () => {
  it('takes a PIN of 6-12 digits from clinicians and a password of ≥ 12 characters from the others', () => {
    expect(() => checkSecretForm('clinician', '123456')).not.toThrow();
    for (const bad of ['12345', '1234567890123', '12345a']) expect(() => checkSecretForm('clinician', bad)).toThrow(/PIN of 6 to 12 digits/);
    expect(() => checkSecretForm('admin', 'elevenchars')).toThrow(/password of 12 to 256/);
    expect(() => checkSecretForm('technician', 'twelve chars')).not.toThrow();
  });

  it('stores scrypt N=2^17 r=8 p=1 hashes keyed by the device secret: another device cannot check a PIN', async () => {
    const here = new SecretHasher('device-secret-a');
    const stored = await here.hash('482913');
    expect(stored).toMatch(/^scrypt-hmac\$17\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(stored).not.toContain('482913');
    expect(await here.verify('482913', stored)).toBe(true);
    expect(await here.verify('482914', stored)).toBe(false);
    expect(await new SecretHasher('device-secret-b').verify('482913', stored)).toBe(false);
    expect(await here.hash('482913')).not.toBe(stored); // salted
  });
});

describe('lockout', () => {
  it('lets five mistakes pass, then doubles the wait up to 15 minutes', () => {
    expect([1, 5, 6, 7, 8, 30].map(delayAfter)).toEqual([0, 0, 1000, 2000, 4000, LOCKOUT.maxDelayMs]);
  });

  it('locks after repeated failures, audits each failure and the lockout, and refuses while locked without checking', async () => {
    const a = freshAccess();
    await a.users.add('Alice', 'clinician', '482913');
    const t0 = Date.now();
    for (let i = 1; i <= 5; i++) expect(await a.signIn.attempt('Alice', '000000', '10.0.0.7', t0 + i)).toEqual({ ok: false, reason: 'failed' });
    expect(await a.signIn.attempt('Alice', '000000', '10.0.0.7', t0 + 6)).toEqual({ ok: false, reason: 'locked', retryAfterMs: 1000 });
    // the right PIN during the lockout is refused too: the wait applies to everyone
    expect(await a.signIn.attempt('Alice', '482913', '10.0.0.7', t0 + 500)).toMatchObject({ ok: false, reason: 'locked' });
    expect(await a.signIn.attempt('Alice', '482913', '10.0.0.7', t0 + 1100)).toMatchObject({ ok: true, user: { name: 'Alice', role: 'clinician' } });
    const rows = a.audit.list({ limit: 20 }).reverse();
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([
      ...Array.from({ length: 6 }, () => ['session.sign-in', 'failed']),
      ['session.lockout', 'denied'],
      ['session.sign-in', 'denied'],
      ['session.sign-in', 'ok'],
    ]);
    expect(rows[0]).toMatchObject({ client: '10.0.0.7', target: 'Alice', details: { reason: 'wrong secret', failuresInRow: 1 } });
    expect(a.audit.verify()).toMatchObject({ ok: true, rows: 9 });
    a.db.close();
  });

  it('a burst of ten wrong PINs: five free failures, one counted lock of 1 s, four refusals that neither count nor lengthen it', async () => {
    // what a tablet (or a script) sending ten wrong PINs at once gets: the wait after it is 1 s, not delayAfter(10)
    const a = freshAccess();
    await a.users.add('Lena', 'clinician', '482913');
    const t0 = Date.now();
    const results = [];
    for (let i = 1; i <= 10; i++) results.push(await a.signIn.attempt('Lena', '000000', '10.0.0.7', t0 + i));
    expect(results).toEqual([
      ...Array.from({ length: 5 }, () => ({ ok: false, reason: 'failed' })),
      { ok: false, reason: 'locked', retryAfterMs: 1000 },
      // (a refusal names at least a second, the Retry-After unit)
      ...Array.from({ length: 4 }, () => ({ ok: false, reason: 'locked', retryAfterMs: 1000 })),
    ]);
    expect(a.users.find('Lena')).toMatchObject({ failuresInRow: 6, lockedUntil: t0 + 6 + 1000 });
    expect(a.audit.list({ limit: 20 }).reverse().map((r) => [r.action, r.outcome, (r.details as { reason?: string } | null)?.reason ?? null])).toEqual([
      ...Array.from({ length: 6 }, () => ['session.sign-in', 'failed', 'wrong secret']),
      ['session.lockout', 'denied', null],
      ...Array.from({ length: 4 }, () => ['session.sign-in', 'denied', 'locked']),
    ]);
    // once that one second is over the right PIN signs in; the next wrong one would have counted as the 7th
    expect(await a.signIn.attempt('Lena', '482913', '10.0.0.7', t0 + 6 + 1000)).toMatchObject({ ok: true });
    a.db.close();
  });

  it('each failure made once the previous wait has ended doubles the wait: 16 s after the tenth, 15 min from the sixteenth', async () => {
    const a = freshAccess();
    await a.users.add('Marc', 'clinician', '482913');
    let at = Date.now() - 3_600_000 / 2;
    const waitsS: number[] = [];
    for (let i = 1; i <= 17; i++) {
      const r = await a.signIn.attempt('Marc', '000000', '10.0.0.7', at);
      const wait = r.ok ? -1 : r.reason === 'locked' ? r.retryAfterMs : 0;
      waitsS.push(wait / 1000);
      at += wait;
    }
    expect(waitsS).toEqual([0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
    a.db.close();
  });

  it('times the wait from when the secret is found wrong, not from when the attempt began (a slow hash must not eat it)', async () => {
    const { db, deviceSecret } = openDataDir(join(tempDir('sonoedge-accounts-'), 'data'));
    class ClockedHasher extends SecretHasher {
      checkedAt = 0;
      override async verify(secret: string, stored: string): Promise<boolean> {
        const ok = await super.verify(secret, stored);
        this.checkedAt = Date.now();
        return ok;
      }
    }
    const hasher = new ClockedHasher(deviceSecret);
    const users = new UserStore(db, hasher);
    const signIn = new SignIn(db, users, hasher, new AuditTrail(db, deviceSecret));
    await users.add('Nora', 'clinician', '482913');
    for (let i = 0; i < 5; i++) await signIn.attempt('Nora', '000000', '10.0.0.7');
    // scrypt N=2^17 takes hundreds of ms: a wait timed from the start of the attempt would end that much early
    expect(await signIn.attempt('Nora', '000000', '10.0.0.7')).toEqual({ ok: false, reason: 'locked', retryAfterMs: 1000 });
    expect(users.find('Nora')!.lockedUntil).toBeGreaterThanOrEqual(hasher.checkedAt + 1000);
    db.close();
  });

  it('caps failures at 100 per account per hour whatever the delays', async () => {
    const a = freshAccess();
    const user = await a.users.add('Bob', 'clinician', '482913');
    const now = Date.now();
    const oldest = now - 50 * 60_000;
    const insert = a.db.prepare('INSERT INTO sign_in_failures (user_id, at) VALUES (?, ?)');
    for (let i = 0; i < LOCKOUT.hourlyCap; i++) insert.run(user.id, oldest + i);
    const r = await a.signIn.attempt('Bob', '482913', '10.0.0.8', now);
    expect(r).toEqual({ ok: false, reason: 'locked', retryAfterMs: oldest + LOCKOUT.hourMs - now });
    // an hour after the oldest of them, the account opens again
    expect(await a.signIn.attempt('Bob', '482913', '10.0.0.8', oldest + LOCKOUT.hourMs + 1)).toMatchObject({ ok: true });
    // and an admin's new PIN opens it at once: the failures counted were guesses at the old one
    await a.users.setSecret('Bob', '246810');
    expect(await a.signIn.attempt('Bob', '246810', '10.0.0.8', now)).toMatchObject({ ok: true });
    a.db.close();
  });

  it('answers an unknown or disabled name like a wrong secret, and audits it', async () => {
    const a = freshAccess();
    await a.users.add('Carol', 'technician', 'carol-password-1');
    a.users.disable('Carol');
    expect(await a.signIn.attempt('Carol', 'carol-password-1', '10.0.0.9')).toEqual({ ok: false, reason: 'failed' });
    expect(await a.signIn.attempt('Nobody', 'whatever-password', '10.0.0.9')).toEqual({ ok: false, reason: 'failed' });
    expect(a.audit.list({ action: 'session.sign-in' }).map((r) => r.details)).toEqual([{ reason: 'no such user' }, { reason: 'account disabled' }]);
    a.db.close();
  });
});

describe('sessions and tokens', () => {
  it('end after the idle and the absolute timeout, at sign-out, and when the account is disabled', async () => {
    const a = freshAccess();
    const u = await a.users.add('Dan', 'clinician', '482913');
    const { idleMs, absoluteMs } = a.sessions.timeouts;
    const t0 = Date.now();
    const s = a.sessions.create(u.id, '10.0.0.7', t0);
    expect(s.id.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    expect(a.db.prepare('SELECT count(*) n FROM sessions WHERE id_hash = ?').get(s.id)).toEqual({ n: 0 }); // only the hash is stored
    expect(a.sessions.resolve(s.id, t0 + idleMs - 1)).toMatchObject({ name: 'Dan', role: 'clinician', via: 'session' });
    expect(a.sessions.resolve(s.id, t0 + 2 * idleMs)).toBe('expired');
    // used within the idle time again and again, it still ends at the absolute limit
    let t = t0;
    while (t + idleMs / 2 < t0 + absoluteMs) expect(a.sessions.resolve(s.id, (t += idleMs / 2))).not.toBe('expired');
    expect(a.sessions.resolve(s.id, t0 + absoluteMs + 1)).toBe('expired');
    const s2 = a.sessions.create(u.id, '10.0.0.7');
    const p = a.sessions.resolve(s2.id);
    a.sessions.revoke(p !== undefined && p !== 'expired' ? p.credentialId : '');
    expect(a.sessions.resolve(s2.id)).toBeUndefined();
    const s3 = a.sessions.create(u.id, '10.0.0.7');
    const tok = a.tokens.create('Dan', { label: 'script' });
    expect(a.tokens.resolve(tok.token)).toMatchObject({ name: 'Dan', via: 'token', credentialId: tok.id });
    const open = [a.sessions.resolve(s3.id), a.tokens.resolve(tok.token)].map((x) => (typeof x === 'object' ? x : undefined)!);
    expect(open.map((x) => principalIsLive(a, x))).toEqual([true, true]);
    a.users.disable('Dan');
    expect(open.map((x) => principalIsLive(a, x))).toEqual([false, false]); // what a live WebSocket checks
    expect(a.sessions.resolve(s3.id)).toBeUndefined();
    expect(a.tokens.resolve(tok.token)).toBeUndefined();
    expect(a.tokens.list()[0]).toMatchObject({ id: tok.id, revokedAt: expect.any(String) });
    a.db.close();
  });

  it('tokens are shown once, stored hashed, record their last use, and stop when revoked', async () => {
    const a = freshAccess();
    await a.users.add('Eve', 'technician', 'eve-password-12');
    const { id, token } = a.tokens.create('Eve', { createdBy: 'admin' });
    expect(JSON.stringify(a.db.prepare('SELECT * FROM tokens').all())).not.toContain(token.slice(9));
    expect(a.tokens.list()[0]!.lastUsedAt).toBeNull();
    expect(a.tokens.resolve(token)).toMatchObject({ role: 'technician' });
    expect(a.tokens.list()[0]!.lastUsedAt).not.toBeNull();
    a.tokens.revoke(id);
    expect(a.tokens.resolve(token)).toBeUndefined();
    expect(() => a.tokens.revoke('tok_nope')).toThrow(expect.objectContaining({ code: 'SONO_ACCESS_TOKEN_NOT_FOUND' }));
    a.db.close();
  });
});
