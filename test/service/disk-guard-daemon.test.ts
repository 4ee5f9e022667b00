/**
 * The disk guard wired into a real daemon whose data folder is a 32 MiB tmpfs (mounted for the test, as in
 * disk-guard.test.ts; skipped where mounting is not allowed). The disk is really filled with a file: a new
 * exam, a capture and a posted-back frame are refused with 507 SONO_DISK_LOW, health and /metrics say so, the exam made before is intact, and
 * freeing the space lets exams in again.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { grayFrame, publishFrame } from '../helpers/app.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';

const base = mkdtempSync(join(tmpdir(), 'sonoedge-diskd-'));
const mnt = join(base, 'small');
mkdirSync(mnt);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=32m,mode=0700', 'tmpfs', mnt]).status === 0;
if (!mounted) console.warn('disk-guard daemon test skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)');

const MB = 1024 * 1024;
const json = { 'content-type': 'application/json' };

describe.skipIf(!mounted)('a daemon on a nearly full disk', () => {
  let d: TestDaemon | undefined;
  afterAll(async () => {
    await d?.close();
    spawnSync('umount', ['--lazy', mnt]);
    rmSync(base, { recursive: true, force: true });
  });

  it('refuses a new exam, a capture and a posted-back frame with 507 SONO_DISK_LOW, says so in health and metrics, keeps what was stored, and accepts again once space is freed', async () => {
    d = await startTestDaemon(mnt, { models: [], storage: { warnFreeMb: 20, stopCineFreeMb: 12, refuseFreeMb: 8, checkIntervalMs: 60_000 } }, [], { anonymous: false });
    const before = await fetch(d.url + '/api/exams', { method: 'POST', headers: json, body: '{}' });
    expect(before.status).toBe(201);
    const kept = (await before.json()) as { id: string };
    let health = (await (await fetch(d.url + '/api/health')).json()) as { disk: { level: string; message: string; refuseFreeMb: number } };
    expect(health.disk).toMatchObject({ level: 'ok', message: '', refuseFreeMb: 8 });

    // fill the disk until less than refuseFreeMb is left
    const s = statfsSync(mnt);
    const freeMb = Math.floor((s.bavail * s.bsize) / MB);
    const filler = join(mnt, 'filler');
    writeFileSync(filler, Buffer.alloc((freeMb - 4) * MB, 1));

    const refused = await fetch(d.url + '/api/exams', { method: 'POST', headers: json, body: '{}' });
    expect(refused.status).toBe(507);
    const body = (await refused.json()) as { code: string; message: string; details: { what: string } };
    expect(body.code).toBe('SONO_DISK_LOW');
    expect(body.message).toMatch(/^Disk almost full: \d+ MiB free on .*no new exam is accepted\. Free space/);
    expect(body.details.what).toBe('exam');
    const capture = await fetch(`${d.url}/api/exams/${kept.id}/captures`, { method: 'POST', headers: json, body: '{}' });
    expect(capture.status).toBe(507);
    expect(((await capture.json()) as { details: { what: string } }).details.what).toBe('capture');
    // the frozen frame the page posts back (octet-stream) is refused the same way, before its body is stored
    const frame = grayFrame(7, 64, 48);
    publishFrame(d.runtime, frame);
    const octet = { 'content-type': 'application/octet-stream' };
    const frameMessage = Buffer.from(new FrameEncoder(1).encode(frame));
    const refusedFrame = await fetch(`${d.url}/api/exams/${kept.id}/captures/frame`, { method: 'POST', headers: octet, body: new Uint8Array(frameMessage) });
    expect(refusedFrame.status).toBe(507);
    expect((await refusedFrame.json()) as { code: string; details: { what: string } }).toMatchObject({ code: 'SONO_DISK_LOW', details: { what: 'capture' } });

    health = (await (await fetch(d.url + '/api/health')).json()) as typeof health;
    expect(health.disk.level).toBe('refuse');
    expect(health.disk.message).toMatch(/new exams and captures are refused/);
    const metrics = await (await fetch(d.url + '/metrics')).text();
    expect(metrics).toMatch(/^sonoedge_disk_guard_level 3$/m);

    // nothing stored was lost: the exam made before is there, and only it
    const list = (await (await fetch(d.url + '/api/exams')).json()) as Array<{ id: string }>;
    expect(list.map((e) => e.id)).toEqual([kept.id]);
    expect(d.db.pragma('integrity_check', { simple: true })).toBe('ok');

    const stored = (await (await fetch(`${d.url}/api/exams/${kept.id}`)).json()) as { captures: unknown[] };
    expect(stored.captures).toEqual([]);

    unlinkSync(filler);
    const again = await fetch(d.url + '/api/exams', { method: 'POST', headers: json, body: '{}' });
    expect(again.status).toBe(201);
    // the same frame is taken once there is room again
    const frameAgain = await fetch(`${d.url}/api/exams/${kept.id}/captures/frame`, { method: 'POST', headers: octet, body: new Uint8Array(frameMessage) });
    expect(frameAgain.status).toBe(201);
    health = (await (await fetch(d.url + '/api/health')).json()) as typeof health;
    expect(health.disk.level).toBe('ok');
  });
});
