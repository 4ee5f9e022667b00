/**
 * The lines of `sonoedge doctor` a field technician needs beyond the providers and drivers (src/app/doctor.ts):
 * versions, devices seen, certificate expiry and whether each sync target answers. One line each; a line
 * that is not fine says what to do. Each returns whether the device can work as configured.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import * as ort from 'onnxruntime-node';
import type { Config } from '../config/schema.js';
import { deviceCertificateFiles } from '../access/certificate.js';
import { errorMessage } from '../errors.js';
import { packageRoot } from '../util/package-root.js';

export interface DoctorLine {
  line: string;
  ok: boolean;
}

const DAY = 86_400_000;
/** A certificate this close to its end gets a warning (the device's own is renewed by serve 30 days before). */
export const CERT_WARN_DAYS = 30;

/** sonoedge, Node, onnxruntime and SQLite (with its cipher) versions: what a bug report must name. */
export function versionsLine(): DoctorLine {
  const own = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  let sqlite = 'SQLite unavailable';
  try {
    const db = new Database(':memory:');
    const v = db.prepare('SELECT sqlite_version() AS v, sqlite3mc_version() AS mc').get() as { v: string; mc: string };
    db.close();
    sqlite = `SQLite ${v.v} (${v.mc})`;
  } catch (err) {
    return { ok: false, line: `versions: sonoedge ${own}, node ${process.version}; the records database library does not load (${errorMessage(err)}): reinstall with npm ci` };
  }
  const onnx = (ort.env.versions as { node?: string; common?: string }).node ?? (ort.env.versions as { common?: string }).common ?? '?';
  return { ok: true, line: `versions: sonoedge ${own}, node ${process.version} ${process.platform}/${process.arch}, onnxruntime-node ${onnx}, ${sqlite}` };
}

/** USB devices the kernel sees (sysfs; root hubs left out), so a probe that is not plugged in shows here. */
export function usbDevicesLine(sysDir = '/sys/bus/usb/devices'): DoctorLine {
  if (!existsSync(sysDir)) return { ok: true, line: `usb devices: none seen (${sysDir} is absent: no USB bus, or sysfs not mounted)` };
  const read = (dir: string, f: string): string => {
    try {
      return readFileSync(join(dir, f), 'utf8').trim();
    } catch {
      return '';
    }
  };
  const seen = readdirSync(sysDir)
    .map((name) => join(sysDir, name))
    .filter((dir) => read(dir, 'idVendor') !== '' && read(dir, 'idVendor') !== '1d6b')
    .map((dir) => `${read(dir, 'idVendor')}:${read(dir, 'idProduct')}${read(dir, 'product') ? ` ${read(dir, 'product')}` : ''}`);
  return { ok: true, line: seen.length ? `usb devices: ${seen.join(', ')}` : 'usb devices: none plugged in (a USB probe or grabber must show here: check its cable and power)' };
}

/** One certificate's expiry, with what to do when it is near or past. */
export function certificateLine(what: string, file: string, renew: string, now = Date.now()): DoctorLine {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(file));
  } catch (err) {
    return { ok: false, line: `${what}: cannot read ${file} (${errorMessage(err)}): ${renew}` };
  }
  const end = Date.parse(cert.validTo);
  const days = Math.floor((end - now) / DAY);
  const until = new Date(end).toISOString().slice(0, 10);
  if (end <= now) return { ok: false, line: `${what}: EXPIRED on ${until} (${file}): ${renew}` };
  if (Date.parse(cert.validFrom) > now) return { ok: false, line: `${what}: not valid before ${cert.validFrom} (${file}): the clock is probably wrong, set it` };
  if (days < CERT_WARN_DAYS) return { ok: true, line: `${what}: expires in ${days} days, on ${until} (${file}): ${renew}` };
  return { ok: true, line: `${what}: valid until ${until} (${days} days)` };
}

/** The served certificate, the device CA and each sync target's CA file: when each ends. */
export function certificateLines(config: Pick<Config, 'server' | 'sync'>, dataDir: string, baseDir: string, now = Date.now()): DoctorLine[] {
  const lines: DoctorLine[] = [];
  const tls = config.server.tls;
  if (tls === 'self-signed') {
    const files = deviceCertificateFiles(dataDir);
    if (!existsSync(files.certFile)) lines.push({ ok: true, line: 'certificate: not made yet (serve makes it at its first start)' });
    else {
      lines.push(certificateLine('certificate', files.certFile, 'restart sonoedge (serve renews its own certificate 30 days before the end)', now));
      if (existsSync(files.caFile)) lines.push(certificateLine('device CA', files.caFile, `move ${join(dataDir, 'tls')} aside and restart, then trust the new CA fingerprint on every tablet`, now));
    }
  } else if (tls !== undefined) {
    lines.push(certificateLine('certificate', resolve(baseDir, tls.certFile), `install a renewed certificate at ${tls.certFile} and restart sonoedge`, now));
  } else lines.push({ ok: true, line: 'certificate: none (plain HTTP)' });
  for (const t of config.sync.targets) {
    if (t.caFile) lines.push(certificateLine(`sync ${t.name} CA`, resolve(baseDir, t.caFile), `ask the PACS administrator for the current CA and replace ${t.caFile}`, now));
  }
  return lines;
}

type SyncTarget = Config['sync']['targets'][number];

/** What one GET of a target's DICOMweb root gave: the HTTP status, or the error, and the server certificate's end. */
function probe(t: SyncTarget, baseDir: string, timeoutMs: number): Promise<{ status?: number; error?: string; certEnd?: string }> {
  const url = new URL(t.url.replace(/\/$/, '') + '/studies?limit=1');
  const headers: Record<string, string> = { accept: 'application/dicom+json' };
  if (t.token) headers.authorization = `Bearer ${t.token}`;
  else if (t.username !== undefined) headers.authorization = 'Basic ' + Buffer.from(`${t.username}:${t.password ?? ''}`).toString('base64');
  return new Promise((done) => {
    let ca: Buffer | undefined;
    try {
      ca = t.caFile ? readFileSync(resolve(baseDir, t.caFile)) : undefined;
    } catch (err) {
      done({ error: `cannot read its CA file ${t.caFile} (${errorMessage(err)})` });
      return;
    }
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'GET', headers, timeout: timeoutMs, ...(ca ? { ca } : {}) }, (res) => {
      const peer = url.protocol === 'https:' ? (res.socket as TLSSocket).getPeerCertificate() : undefined;
      res.resume();
      done({ status: res.statusCode ?? 0, ...(peer?.valid_to ? { certEnd: new Date(peer.valid_to).toISOString().slice(0, 10) } : {}) });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => done({ error: errorMessage(err) }));
    req.end();
  });
}

/** Whether each PACS target answers its DICOMweb root now (a QIDO query for one study), with what to do when not. */
export async function syncLines(targets: readonly SyncTarget[], baseDir: string, timeoutMs = 5000): Promise<DoctorLine[]> {
  if (targets.length === 0) return [{ ok: true, line: 'sync: no PACS target configured (exams stay on this device; add sync.targets to send them)' }];
  return Promise.all(
    targets.map(async (t): Promise<DoctorLine> => {
      const where = `sync ${t.name} (${new URL(t.url).host})`;
      const r = await probe(t, baseDir, timeoutMs);
      if (r.error !== undefined) {
        return { ok: false, line: `${where}: UNREACHABLE (${r.error}): check the network cable, the address in sync.targets and that the PACS runs; exams wait in the outbox meanwhile` };
      }
      const cert = r.certEnd ? `; its certificate ends ${r.certEnd}` : '';
      if (r.status === 401 || r.status === 403) return { ok: false, line: `${where}: reachable but refuses our credentials (HTTP ${r.status}): fix username/password or token in sync.targets` };
      if (r.status! >= 200 && r.status! < 300) return { ok: true, line: `${where}: reachable, DICOMweb answers (HTTP ${r.status})${cert}` };
      return { ok: false, line: `${where}: reachable but answers HTTP ${r.status} to a DICOMweb query: check that the url ends at the DICOMweb root (e.g. /dicom-web)${cert}` };
    }),
  );
}
