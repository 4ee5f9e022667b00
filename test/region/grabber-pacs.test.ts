/**
 * A frame grabber's picture, end to end to a real Orthanc: the v4l2 driver reads a scanner's screen (raw gray
 * frames written by the test into a FIFO, through the same ffmpeg path as /dev/video), a technician sets the
 * imaging region through the API, and a closed exam's images leave with the text around the picture cleaned
 * off. A patient name burned INSIDE the region holds that capture's images (GET /api/sync: held,
 * SONO_BURNED_IN_TEXT); the rest arrive, and tesseract reads no name in anything that reached the PACS.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { burnedText } from '../../src/ocr/burned-text.js';
import { readWords } from '../../src/ocr/tesseract.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { captureLive, startTestDaemon } from '../helpers/daemon.js';
import { OrthancServer, orthancAvailable } from '../helpers/orthanc.js';
import { tempDir } from '../helpers/tmp.js';
import { burnText } from '../ocr/burn-text.js';

const W = 640;
const H = 480;
const REGION = { x: 0, y: 40, width: 640, height: 440 };
const hasTesseract = spawnSync('tesseract', ['--version']).status === 0;
/** a black corner of the sector picture, inside the region: where the second screen shows the name */
const NAME_BOX = { x0: 12, y0: 44, x1: 220, y1: 64 };

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 90000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const nameShown = (px: Uint8Array): boolean => {
  let bright = 0;
  for (let y = NAME_BOX.y0; y < NAME_BOX.y1; y++) for (let x = NAME_BOX.x0; x < NAME_BOX.x1; x++) if (px[y * W + x]! > 128) bright++;
  return bright > 40;
};

describe.skipIf(!orthancAvailable || !hasTesseract)('a grabber source with a region set by the API, to a real Orthanc', () => {
  const shared = inject('orthanc');

  it('cleans the text around the picture, holds the capture with a name inside it, sends the rest', async () => {
    const dir = tempDir();
    const probe = new SimulatedProbe('p', {});
    probe.prepare();
    const ultrasound = new Uint8Array(W * H);
    probe.render(0, ultrasound);
    // the scanner's screen: a black band on top with the patient's name and ID (outside the region)…
    const screen = Uint8Array.from(ultrasound);
    screen.fill(0, 0, W * REGION.y);
    const plain = await burnText(screen, W, H, 'DOE, JANE  MRN-4711  2026-03-02', 12, 28);
    // …and, on a second screen, the name again inside the picture's black corner
    const named = await burnText(plain, W, H, 'JANE DOE 4711', NAME_BOX.x0, NAME_BOX.y1 - 4, 15);
    expect(nameShown(plain)).toBe(false);
    expect(nameShown(named)).toBe(true);

    const fifo = join(dir, 'hdmi.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    let current = plain;
    const out = createWriteStream(fifo);
    out.on('error', () => {});
    const feeder = setInterval(() => {
      if (out.writableLength < 4 * W * H) out.write(Buffer.from(current));
    }, 100);
    const d = await startTestDaemon(dir, {
      models: [],
      source: { driver: 'v4l2', id: 'hdmi' },
      drivers: { v4l2: { width: W, height: H, fps: 10, signalLossMs: 5000, ffmpegInput: ['-f', 'rawvideo', '-video_size', `${W}x${H}`, '-pix_fmt', 'gray', '-framerate', '10', '-i', fifo] } },
      sync: { targets: [{ name: 'orthanc', url: shared!.dicomWeb, username: shared!.user, password: shared!.password }], retryInitialMs: 50, retryMaxMs: 400, pollMs: 50, batchSize: 20 },
    });
    const api = async (method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const r = await fetch(d.url + url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    try {
      // before the region: the grabber's frames are marked unset
      await until('a frame', async () => ((await api('GET', '/api/source/region')).json.origin === 'unset' ? true : undefined));
      const set = await api('PUT', '/api/source/region', { rect: REGION });
      expect(set.status, JSON.stringify(set.json)).toBe(200);
      expect(set.json).toMatchObject({ origin: 'set', region: REGION });

      const exam = (await api('POST', '/api/exams', { patient: { name: 'DOE^JANE', id: 'MRN-4711', birthDate: '19840302', sex: 'F' } })).json;
      const seqOf = async (wantName: boolean): Promise<number> => {
        const live = await captureLive(d.url, (c) => c.frames.some((f) => f.region.y === REGION.y && nameShown(f.pixels) === wantName), 30000);
        return live.frames.find((f) => f.region.y === REGION.y && nameShown(f.pixels) === wantName)!.seq;
      };
      const capA = await api('POST', `/api/exams/${exam.id as string}/captures`, { seq: await seqOf(false) });
      expect(capA.status, JSON.stringify(capA.json)).toBe(201);
      current = named;
      const capB = await api('POST', `/api/exams/${exam.id as string}/captures`, { seq: await seqOf(true) });
      expect(capB.status, JSON.stringify(capB.json)).toBe(201);
      const closed = await api('POST', `/api/exams/${exam.id as string}/close`, {});
      expect(closed.status, JSON.stringify(closed.json)).toBeLessThan(300);

      type Item = { examId: string; state: string; sopInstanceUid: string; sopClassUid: string; reason?: { code: string; text?: string; found?: string; identifiers?: string[]; boxes?: unknown[] } };
      const items = await until(
        'the gate and the delivery to settle',
        async () => {
          const mine = ((await api('GET', '/api/sync')).json.items as Item[]).filter((i) => i.examId === exam.id);
          return mine.length > 0 && mine.every((i) => i.state === 'sent' || i.state === 'held') ? mine : undefined;
        },
        120000,
      );
      const images = items.filter((i) => i.sopClassUid === '1.2.840.10008.5.1.4.1.1.6.1');
      const held = images.filter((i) => i.state === 'held');
      // capture B's raw image and its overlay rendering are held as showing this patient's data, with where it is (never the words themselves)
      expect(images).toHaveLength(4);
      expect(held).toHaveLength(2);
      for (const h of held) {
        expect(h.reason?.code).toBe('SONO_BURNED_IN_TEXT');
        expect(h.reason?.found).toBe('patient-data');
        expect(JSON.stringify(h.reason)).not.toMatch(/JANE|DOE|4711/);
        expect(h.reason?.boxes?.length).toBeGreaterThan(0);
      }
      const sent = items.filter((i) => i.state === 'sent');
      expect(sent.length).toBe(items.length - 2);

      // what reached the PACS: the sent instances, once each, with no name in tags, bytes or pixels
      const orthanc = new OrthancServer(shared!);
      let arrived = 0;
      for (const id of await orthanc.instances()) {
        const bytes = await orthanc.file(id);
        const ds = readPart10(bytes);
        if (!items.some((i) => i.sopInstanceUid === ds.SOPInstanceUID)) continue;
        expect(
          held.some((h) => h.sopInstanceUid === ds.SOPInstanceUID),
          'a held image reached the PACS',
        ).toBe(false);
        arrived++;
        for (const needle of ['DOE', 'JANE', 'MRN-4711', '19840302']) expect(bytes.includes(Buffer.from(needle)), needle).toBe(false);
        if (ds.SOPClassUID !== '1.2.840.10008.5.1.4.1.1.6.1') continue;
        const px = new Uint8Array((ds.PixelData as ArrayBuffer[])[0]!.slice(0, W * H));
        // Clean Pixel Data: the band above the region arrived black
        expect(px.subarray(0, W * REGION.y).every((v) => v === 0)).toBe(true);
        expect(ds.BurnedInAnnotation).toBe('NO');
        const words = await readWords(px, W, H, { timeoutMs: 20000 });
        expect(burnedText(words), 'text read in an image that reached the PACS').toBeUndefined();
        expect(words.map((w) => w.text).join(' ')).not.toMatch(/JANE|DOE|4711/);
      }
      expect(arrived).toBe(sent.length);
    } finally {
      clearInterval(feeder);
      out.destroy();
      await d.close();
    }
  }, 240_000);
});
