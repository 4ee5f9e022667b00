/**
 * Sign-off end to end: a real daemon (replay source, real model) and a real Orthanc. A clinician decides every
 * measurement and closes (the UNVERIFIED TID 1500 and TID 5000 reports and the images arrive), then signs: the
 * VERIFIED revisions arrive too, each naming the report it replaces, and the first ones are still there.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { addTokenUser } from '../helpers/auth.js';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { OrthancServer, orthancAvailable } from '../helpers/orthanc.js';
import { tempDir } from '../helpers/tmp.js';

type Ds = Record<string, unknown>;

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 60000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!orthancAvailable)('sign-off reaches a real Orthanc', () => {
  const shared = inject('orthanc');

  it('closing sends UNVERIFIED reports, signing sends VERIFIED revisions that reference them; both kept', async () => {
    const dir = tempDir();
    const probe = new SimulatedProbe('p', {});
    probe.prepare();
    const px = new Uint8Array(640 * 480);
    probe.render(0, px);
    mkdirSync(join(dir, 'frames'));
    await sharp(Buffer.from(px), { raw: { width: 640, height: 480, channels: 1 } }).png().toFile(join(dir, 'frames', 'f.png'));
    const d = await startTestDaemon(dir, {
      source: { driver: 'replay', id: 'r' },
      drivers: { replay: { path: join(dir, 'frames'), fps: 5, pixelSpacingMm: probe.pixelSpacingMm, region: { x: 0, y: 40, width: 640, height: 440 } } },
      sync: { targets: [{ name: 'orthanc', url: shared!.dicomWeb, username: shared!.user, password: shared!.password }], retryInitialMs: 50, retryMaxMs: 400, pollMs: 50, batchSize: 20 },
    });
    try {
      await waitForHealth(d.url, 200);
      await until('a result', async () => (await fetch(d.url + '/api/live/best')).ok || undefined);
      const ada = await addTokenUser(d.runtime.access.services, 'clinician', 'Ada Byron');
      const post = async (url: string, body: unknown): Promise<Ds> => {
        const r = await fetch(d.url + url, { method: 'POST', headers: { ...ada.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return (await r.json()) as Ds;
      };
      const exam = await post('/api/exams', { patient: { name: 'ROE^MARY', id: 'MRN-2026', sex: 'F' }, datingGaWeeks: 20 });
      const capture = await post(`/api/exams/${exam.id as string}/captures`, {});
      const measurements = capture.measurements as Array<{ id: string }>;
      expect(measurements.length).toBeGreaterThan(0);
      for (const m of measurements) await post(`/api/measurements/${m.id}/decision`, { decision: 'confirmed' });
      await post(`/api/exams/${exam.id as string}/close`, {});
      let last = '';
      const sent = async (n: number): Promise<Array<{ sopInstanceUid: string }>> => until(`${n} sent`, async () => {
        const s = (await (await fetch(d.url + '/api/sync')).json()) as { items: Array<{ examId: string; state: string; sopInstanceUid: string }> };
        const mine = s.items.filter((i) => i.examId === exam.id);
        last = mine.map((i) => i.state).join(',');
        return mine.length === n && mine.every((i) => i.state === 'sent') ? mine : undefined;
      }, 90000).catch((err: Error) => { throw new Error(`${err.message}; states: ${last}`); });
      await sent(4); // two images, TID 1500, TID 5000
      const signed = await post(`/api/exams/${exam.id as string}/sign`, {});
      expect(signed).toMatchObject({ revision: 1, by: 'Ada Byron', verificationFlag: 'VERIFIED' });
      const items = await sent(6);

      const orthanc = new OrthancServer(shared!);
      const srs: Ds[] = [];
      for (const id of await orthanc.instances()) {
        const ds = readPart10(await orthanc.file(id));
        if (ds.Modality === 'SR' && items.some((i) => i.sopInstanceUid === ds.SOPInstanceUID)) srs.push(ds);
      }
      expect(srs).toHaveLength(4);
      const template = (ds: Ds): string => ((ds.ContentTemplateSequence as Ds[] | Ds) instanceof Array ? (ds.ContentTemplateSequence as Ds[])[0]! : (ds.ContentTemplateSequence as Ds)).TemplateIdentifier as string;
      for (const t of ['1500', '5000']) {
        const pair = srs.filter((s) => template(s) === t);
        const first = pair.find((s) => s.VerificationFlag === 'UNVERIFIED')!;
        const second = pair.find((s) => s.VerificationFlag === 'VERIFIED')!;
        expect(first, t).toBeDefined();
        expect(second, t).toBeDefined();
        const seq = (x: unknown): Ds => (Array.isArray(x) ? (x[0] as Ds) : (x as Ds));
        const ref = seq(seq(seq(second.PredecessorDocumentsSequence).ReferencedSeriesSequence).ReferencedSOPSequence);
        expect(ref.ReferencedSOPInstanceUID).toBe(first.SOPInstanceUID);
        expect(JSON.stringify(seq(second.VerifyingObserverSequence).VerifyingObserverName)).toMatch(/CLINICIAN\^reader-[0-9a-f]{12}/);
        expect(JSON.stringify(second)).not.toContain('Ada Byron');
      }
      expect(srs.find((s) => template(s) === '1500' && s.VerificationFlag === 'VERIFIED')!.SOPInstanceUID).toBe(signed.srUid);
    } finally {
      await d.close();
    }
  }, 240000);
});
