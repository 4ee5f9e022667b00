/**
 * Issue 18: a cine clip saved to an exam reaches a real Orthanc (DICOMweb plugin) as one Ultrasound Multi-frame
 * Image, through the real daemon: frames as /api/live sent them → POST /api/exams/:id/clips → close → the
 * sync process's OCR gate reads every frame (real tesseract) → STOW-RS. De-identified in tags and pixels.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { encodeFrameMessage } from '../../src/protocol/index.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { US_MULTIFRAME_STORAGE } from '../../src/sync/us-multiframe.js';
import { captureLive, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { OrthancServer, orthancAvailable } from '../helpers/orthanc.js';
import { tempDir } from '../helpers/tmp.js';

const PATIENT = { name: 'ZYXWV^CLIPPA', id: 'MRN-55120', birthDate: '19910304' };

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 90000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!orthancAvailable)('a cine clip reaches a real Orthanc', () => {
  const shared = inject('orthanc');

  it('as one de-identified Ultrasound Multi-frame Image with every frame', async () => {
    const dir = tempDir();
    // a replayed scan: four probe pictures with the patient's name in the top margin, outside the region
    const probe = new SimulatedProbe('p', {});
    probe.prepare();
    mkdirSync(join(dir, 'frames'));
    for (let i = 0; i < 4; i++) {
      const px = new Uint8Array(640 * 480);
      probe.render(i * 3, px);
      px.fill(0, 0, 640 * 40);
      for (let y = 12; y < 30; y++) px.fill(255, y * 640 + 20, y * 640 + 220);
      await sharp(Buffer.from(px), { raw: { width: 640, height: 480, channels: 1 } })
        .png()
        .toFile(join(dir, 'frames', `f${i}.png`));
    }
    const d = await startTestDaemon(dir, {
      source: { driver: 'replay', id: 'r' },
      drivers: { replay: { path: join(dir, 'frames'), fps: 10, pixelSpacingMm: probe.pixelSpacingMm, region: { x: 0, y: 40, width: 640, height: 440 } } },
      sync: { targets: [{ name: 'orthanc', url: shared!.dicomWeb, username: shared!.user, password: shared!.password }], retryInitialMs: 50, retryMaxMs: 400, pollMs: 50, batchSize: 20 },
    });
    try {
      await waitForHealth(d.url, 200);
      const post = (url: string, init: RequestInit): Promise<Response> => fetch(d.url + url, { method: 'POST', ...init });
      const exam = (await (await post('/api/exams', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient: { ...PATIENT, sex: 'F' }, datingGaWeeks: 24 }) })).json()) as {
        id: string;
      };
      // frames of this exam: received after it was started (earlier ones may show the patient before: 409)
      const live = await captureLive(d.url, (c) => c.frames.length >= 6);
      const body = Buffer.concat(live.frames.slice(0, 6).map((f) => encodeFrameMessage(f, f.pixels)));
      const clip = await post(`/api/exams/${exam.id}/clips`, { headers: { 'content-type': 'application/octet-stream', 'idempotency-key': 'pacs-clip-1' }, body });
      expect(clip.status, await clip.clone().text()).toBe(201);
      expect(((await clip.json()) as { frameCount: number }).frameCount).toBe(6);
      await post(`/api/exams/${exam.id}/close`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({}) });
      // the clip and the two reports (no captures), each sent once the gate has read it
      const sent = await until('delivery', async () => {
        const s = (await (await fetch(d.url + '/api/sync')).json()) as { items: Array<{ examId: string; state: string; sopInstanceUid: string }> };
        const mine = s.items.filter((i) => i.examId === exam.id);
        return mine.length === 3 && mine.every((i) => i.state === 'sent') ? mine : undefined;
      });
      const orthanc = new OrthancServer(shared!);
      const arrived = [];
      for (const id of await orthanc.instances()) {
        const bytes = await orthanc.file(id);
        const ds = readPart10(bytes);
        if (!sent.some((s) => s.sopInstanceUid === ds.SOPInstanceUID) || ds.SOPClassUID !== US_MULTIFRAME_STORAGE) continue;
        arrived.push(ds);
        for (const needle of [PATIENT.name, 'ZYXWV', 'CLIPPA', PATIENT.id, PATIENT.birthDate]) expect(bytes.includes(Buffer.from(needle)), needle).toBe(false);
        expect(ds).toMatchObject({ NumberOfFrames: 6, Rows: 480, Columns: 640, PatientIdentityRemoved: 'YES', BurnedInAnnotation: 'NO' });
        const px = new Uint8Array((ds.PixelData as ArrayBuffer[])[0]!);
        expect(px.length).toBe(6 * 640 * 480);
        // the name's bar in the top margin (outside the region) is zeroed in every frame
        for (let f = 0; f < 6; f++)
          expect(
            px.subarray(f * 640 * 480, f * 640 * 480 + 640 * 40).every((v) => v === 0),
            `frame ${f}`,
          ).toBe(true);
      }
      expect(arrived).toHaveLength(1);
    } finally {
      await d.close();
    }
  }, 150_000);
});
