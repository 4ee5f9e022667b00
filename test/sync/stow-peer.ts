/**
 * A scripted STOW-RS peer for the sync tests: a real node http server on a loopback high port that reads the
 * SOP Instance UIDs out of each multipart request and answers what the test says (a DICOM JSON response, any
 * other body, or a dropped connection). Small real Part 10 instances to send to it.
 */
import { createServer, type Server } from 'node:http';
import { writePart10 } from '../../src/sync/dicom-file.js';
import { newUid } from '../../src/sync/uids.js';
import { buildUsImage } from '../../src/sync/us-image.js';
import { freePort } from '../helpers/orthanc.js';

export type Answer = { status: number; type?: string; body: string | object } | 'drop';

export interface Peer {
  url: string;
  requests(): number;
  close(): Promise<void>;
}

/** Starts a peer; `answer` gets the request number (from 1) and the SOP Instance UIDs the request carried. */
export async function stowPeer(answer: (n: number, uids: string[]) => Answer): Promise<Peer> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const uids = sopInstanceUids(Buffer.concat(chunks));
      const a = answer(++n, uids);
      if (a === 'drop') return req.socket.destroy();
      res.writeHead(a.status, { 'content-type': a.type ?? 'application/dicom+json' });
      res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}/dicom-web`, requests: () => n, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Each part's Media Storage SOP Instance UID (0002,0003), explicit VR little endian as Part 10 meta is. */
function sopInstanceUids(body: Buffer): string[] {
  const tag = Buffer.from([0x02, 0x00, 0x03, 0x00, 0x55, 0x49]);
  const out: string[] = [];
  for (let i = body.indexOf(tag); i >= 0; i = body.indexOf(tag, i + 8)) {
    out.push(
      body
        .subarray(i + 8, i + 8 + body.readUInt16LE(i + 6))
        .toString('latin1')
        .replace(/\0/g, ''),
    );
  }
  return out;
}

const item = (uid: string, reason?: number): object => ({
  '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.6.1'] },
  '00081155': { vr: 'UI', Value: [uid] },
  ...(reason === undefined ? {} : { '00081197': { vr: 'US', Value: [reason] } }),
});

/** A STOW-RS response: Referenced SOP Sequence (stored) and Failed SOP Sequence with each Failure Reason. */
export const dicomAnswer = (stored: string[], failed: Array<[string, number]>): object => ({
  ...(stored.length ? { '00081199': { vr: 'SQ', Value: stored.map((u) => item(u)) } } : {}),
  ...(failed.length ? { '00081198': { vr: 'SQ', Value: failed.map(([u, r]) => item(u, r)) } } : {}),
});

/** `n` small de-identified-looking US images of one new study, as the outbox holds them. */
export function instances(n: number): Array<{ sopInstanceUid: string; sopClassUid: string; bytes: Buffer }> {
  const study = {
    studyInstanceUid: newUid(),
    studyDate: '20260101',
    studyTime: '120000',
    studyId: '',
    accessionNumber: '',
    patient: { name: 'SO1', id: 'SO1', birthDate: '', sex: '' },
    deviceSerial: 'x',
    softwareVersion: '0',
  };
  const series = newUid();
  return Array.from({ length: n }, (_, i) => {
    const uid = newUid();
    const ds = buildUsImage(study, {
      ...{ seriesInstanceUid: series, seriesNumber: 1, sopInstanceUid: uid, instanceNumber: i + 1, contentDate: '20260101', contentTime: '120000' },
      ...{ width: 16, height: 16, pixels: new Uint8Array(256).fill(i), region: { x: 0, y: 0, width: 16, height: 16 }, pixelSpacingMm: { x: 0.2, y: 0.2 } },
      ...{ derived: false, seriesDescription: 't', burnedInAnnotation: 'NO' },
    });
    return { sopInstanceUid: uid, sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1', bytes: writePart10(ds) };
  });
}

export async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
