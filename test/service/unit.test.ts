import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unitHardening } from '../../src/service/unit-check.js';
import { packageRoot } from '../../src/util/package-root.js';
import { tempDir } from '../helpers/tmp.js';

const UNIT = join(packageRoot(), 'systemd', 'sonoedge.service');

function analyze(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('systemd-analyze', args, { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** The overall exposure `systemd-analyze security` gives a unit file (offline: no running manager needed). */
function exposure(file: string): number {
  const { out } = analyze(['security', '--offline=yes', '--no-pager', file]);
  const m = /Overall exposure level for [^:]+: ([0-9.]+)/.exec(out);
  if (!m) throw new Error(`no exposure level in:\n${out}`);
  return Number(m[1]);
}

describe('systemd unit', () => {
  const dir = tempDir('sonoedge-unit-');

  it('passes systemd-analyze verify with nothing to say', () => {
    const r = analyze(['verify', UNIT]);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('is rated 3.0 or lower by systemd-analyze security', () => {
    const level = exposure(UNIT);
    expect(level).toBeLessThanOrEqual(3.0);
    // the tool's own gate agrees (threshold is in tenths)
    expect(analyze(['security', '--offline=yes', '--threshold=30', UNIT]).status).toBe(0);
  });

  it('doctor\'s line reads the same rating, and names a unit that is missing or lost its hardening', () => {
    const good = unitHardening(UNIT);
    expect(good).toMatchObject({ ok: true, exposure: exposure(UNIT) });
    expect(good.line).toMatch(/^unit hardening: \d\.\d \(systemd-analyze security/);
    expect(unitHardening(join(dir, 'absent.service')).line).toMatch(/is not installed; run scripts\/install\.sh/);
  });

  it('the rating would catch a unit that lost its hardening', () => {
    const text = readFileSync(UNIT, 'utf8');
    const stripped = text.slice(0, text.indexOf('# --- Hardening')) + '\n[Install]\nWantedBy=multi-user.target\n';
    const file = join(dir, 'sonoedge.service');
    writeFileSync(file, stripped);
    expect(exposure(file)).toBeGreaterThan(3.0);
    expect(unitHardening(file)).toMatchObject({ ok: false });
    expect(unitHardening(file).line).toMatch(/above 3\.0: .* lost hardening options/);
  });

  it('verify catches a broken unit (the check is live)', () => {
    const file = join(dir, 'broken.service');
    writeFileSync(file, '[Service]\nType=notify\nExecStart=relative/path\n');
    expect(analyze(['verify', file]).status).not.toBe(0);
  });

  it('keeps what the daemon needs: notify with a watchdog, restart on failure, JIT, devices, cache dir, encrypted credentials', () => {
    const text = readFileSync(UNIT, 'utf8');
    const directives = text.split('\n').filter((l) => /^[A-Za-z]+=/.test(l));
    const has = (d: string): boolean => directives.includes(d);
    expect(has('Type=notify')).toBe(true);
    expect(has('NotifyAccess=all')).toBe(true);
    expect(directives.some((d) => /^WatchdogSec=\d+$/.test(d))).toBe(true);
    expect(has('Restart=on-failure')).toBe(true);
    expect(has('CacheDirectory=sonoedge')).toBe(true);
    expect(directives.some((d) => d.startsWith('MemoryDenyWriteExecute=') || d.startsWith('PrivateDevices=') || d.startsWith('PrivateUsers='))).toBe(false);
    expect(has('DeviceAllow=char-video4linux rw')).toBe(true);
    expect(has('LoadCredentialEncrypted=sonoedge-db-key:/etc/credstore.encrypted/sonoedge-db-key')).toBe(true);
    expect(has('LoadCredentialEncrypted=sonoedge-device-secret:/etc/credstore.encrypted/sonoedge-device-secret')).toBe(true);
  });
});
