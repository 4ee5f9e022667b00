/**
 * doctor's field-technician lines (src/app/doctor-checks.ts) on real things: certificates made by the device's
 * own certificate code, a real HTTP and HTTPS DICOMweb stand-in, a port nothing listens on, a sysfs-shaped folder;
 * and `sonoedge doctor` as a real process printing them and exiting 1 when a PACS cannot be reached.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDeviceCertificate } from '../../src/access/certificate.js';
import { deviceNames } from '../../src/access/device-names.js';
import { certificateLine, certificateLines, syncLines, usbDevicesLine, versionsLine } from '../../src/app/doctor-checks.js';
import { tempDir } from '../helpers/tmp.js';

const DAY = 86_400_000;
const dir = tempDir('sonoedge-doctor-checks-');
const tls = ensureDeviceCertificate(join(dir, 'device'), deviceNames([], '127.0.0.1'));
const certEnd = Date.parse(new X509Certificate(readFileSync(tls.certFile)).validTo);

/** A DICOMweb root stand-in: /dicom-web/studies answers 200 [] (or 401 to anyone without the right token). */
const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
  const auth = req.headers.authorization;
  if (!req.url?.startsWith('/dicom-web/studies')) return void res.writeHead(404).end();
  if (auth !== 'Bearer right') return void res.writeHead(401).end();
  res.writeHead(200, { 'content-type': 'application/dicom+json' }).end('[]');
};
let http: Server;
let https: Server;
let closedPort = 0;
const listen = (s: Server): Promise<number> => new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

beforeAll(async () => {
  http = createServer(handler);
  https = createHttpsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler);
  await Promise.all([listen(http), listen(https)]);
  const gone = createServer();
  closedPort = await listen(gone);
  await new Promise((r) => gone.close(r));
});
afterAll(() => {
  http.close();
  https.close();
});
const port = (s: Server): number => (s.address() as AddressInfo).port;

describe('doctor lines', () => {
  it('names sonoedge, node, onnxruntime and SQLite with its cipher versions', () => {
    const v = versionsLine();
    expect(v.ok).toBe(true);
    expect(v.line).toMatch(/^versions: sonoedge \d+\.\d+\.\d+, node v\d+\.\d+\.\d+ linux\/\w+, onnxruntime-node \d+\.\d+\.\d+, SQLite 3\.\d+\.\d+ \(SQLite3 Multiple Ciphers \d/);
  });

  it('lists USB devices from sysfs without the root hubs, and says what to check when none is plugged in', () => {
    const sys = join(dir, 'sys-usb');
    const dev = (name: string, vendor: string, product: string, label?: string): void => {
      mkdirSync(join(sys, name), { recursive: true });
      writeFileSync(join(sys, name, 'idVendor'), vendor + '\n');
      writeFileSync(join(sys, name, 'idProduct'), product + '\n');
      if (label) writeFileSync(join(sys, name, 'product'), label + '\n');
    };
    dev('usb1', '1d6b', '0002', 'xHCI Host Controller');
    mkdirSync(join(sys, '1-0:1.0'), { recursive: true }); // an interface: no idVendor
    expect(usbDevicesLine(sys).line).toBe('usb devices: none plugged in (a USB probe or grabber must show here: check its cable and power)');
    dev('1-1', '1234', '5678', 'Probe 2000');
    expect(usbDevicesLine(sys).line).toBe('usb devices: 1234:5678 Probe 2000');
    expect(usbDevicesLine(join(dir, 'no-such-sysfs')).line).toMatch(/^usb devices: none seen \(.* is absent/);
  });

  it('says when a certificate ends, warns 30 days before with what to do, and fails once expired', () => {
    const fine = certificateLine('certificate', tls.certFile, 'restart', Date.now());
    expect(fine.ok).toBe(true);
    expect(fine.line).toMatch(/^certificate: valid until \d{4}-\d\d-\d\d \(\d+ days\)$/);
    const soon = certificateLine('certificate', tls.certFile, 'restart sonoedge', certEnd - 10 * DAY - 1000);
    expect(soon).toEqual({ ok: true, line: `certificate: expires in 10 days, on ${new Date(certEnd).toISOString().slice(0, 10)} (${tls.certFile}): restart sonoedge` });
    const gone = certificateLine('certificate', tls.certFile, 'restart sonoedge', certEnd + DAY);
    expect(gone.ok).toBe(false);
    expect(gone.line).toMatch(/^certificate: EXPIRED on \d{4}-\d\d-\d\d .*: restart sonoedge$/);
    const missing = certificateLine('sync pacs CA', join(dir, 'absent.pem'), 'replace it');
    expect(missing.ok).toBe(false);
    expect(missing.line).toMatch(/^sync pacs CA: cannot read .*absent\.pem .*: replace it$/);
  });

  it('checks the self-signed certificate, the device CA and each sync target CA file', () => {
    const lines = certificateLines(
      { server: { tls: 'self-signed' } as never, sync: { targets: [{ name: 'pacs', url: 'https://x/dicom-web', caFile: tls.caFile }] } as never },
      join(dir, 'device'),
      dir,
    );
    expect(lines.map((l) => l.line.split(':')[0])).toEqual(['certificate', 'device CA', 'sync pacs CA']);
    expect(lines.every((l) => l.ok)).toBe(true);
    expect(certificateLines({ server: { tls: undefined } as never, sync: { targets: [] } as never }, dir, dir)).toEqual([{ ok: true, line: 'certificate: none (plain HTTP)' }]);
  });

  it('reaches a DICOMweb target over HTTP and HTTPS (its certificate end shown), and says what to do when refused or unreachable', async () => {
    const lines = await syncLines(
      [
        { name: 'plain', url: `http://127.0.0.1:${port(http)}/dicom-web`, token: 'right' },
        { name: 'secure', url: `https://127.0.0.1:${port(https)}/dicom-web/`, token: 'right', caFile: tls.caFile },
        { name: 'wrongtoken', url: `http://127.0.0.1:${port(http)}/dicom-web`, token: 'wrong' },
        { name: 'wrongpath', url: `http://127.0.0.1:${port(http)}/orthanc`, token: 'right' },
        { name: 'down', url: `http://127.0.0.1:${closedPort}/dicom-web` },
        { name: 'untrusted', url: `https://127.0.0.1:${port(https)}/dicom-web`, token: 'right' },
      ],
      dir,
      3000,
    );
    const [plain, secure, wrongToken, wrongPath, down, untrusted] = lines;
    expect(plain).toEqual({ ok: true, line: `sync plain (127.0.0.1:${port(http)}): reachable, DICOMweb answers (HTTP 200)` });
    expect(secure).toEqual({ ok: true, line: `sync secure (127.0.0.1:${port(https)}): reachable, DICOMweb answers (HTTP 200); its certificate ends ${new Date(certEnd).toISOString().slice(0, 10)}` });
    expect(wrongToken).toMatchObject({ ok: false, line: expect.stringMatching(/refuses our credentials \(HTTP 401\): fix username\/password or token in sync\.targets$/) });
    expect(wrongPath).toMatchObject({ ok: false, line: expect.stringMatching(/answers HTTP 404 .*ends at the DICOMweb root/) });
    expect(down).toMatchObject({ ok: false, line: expect.stringMatching(/^sync down .*: UNREACHABLE \(.*ECONNREFUSED.*\): check the network cable/) });
    expect(untrusted).toMatchObject({ ok: false, line: expect.stringMatching(/^sync untrusted .*: UNREACHABLE \(.*certificate/) });
    expect(await syncLines([], dir)).toEqual([{ ok: true, line: 'sync: no PACS target configured (exams stay on this device; add sync.targets to send them)' }]);
  });

  it('`sonoedge doctor` prints the versions, certificate and sync lines and exits 1 when a PACS is unreachable', () => {
    const config = join(dir, 'doctor.yaml');
    writeFileSync(
      config,
      `dataDir: ${join(dir, 'device')}\nmodels: []\nserver: { host: 127.0.0.1, tls: self-signed }\nsync:\n  targets:\n    - { name: main, url: "http://127.0.0.1:${closedPort}/dicom-web" }\n`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'doctor', '--config', config], { encoding: 'utf8', timeout: 120_000 });
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/^versions: sonoedge \d/m);
    expect(out).toMatch(/^certificate: valid until \d{4}-\d\d-\d\d/m);
    expect(out).toMatch(/^device CA: valid until /m);
    expect(out).toMatch(/^usb devices: /m);
    expect(out).toMatch(new RegExp(`^sync main \\(127\\.0\\.0\\.1:${closedPort}\\): UNREACHABLE .*exams wait in the outbox meanwhile$`, 'm'));
    expect(r.status).toBe(1);
  });
});
