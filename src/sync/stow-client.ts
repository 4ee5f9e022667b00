/**
 * STOW-RS (PS3.18 10.5) client: POST {root}/studies, multipart/related; type="application/dicom",
 * basic or bearer auth, TLS with a custom CA. The outcome is read per instance from the response's
 * Referenced SOP Sequence (0008,1199) and Failed SOP Sequence (0008,1198): a partial success is not a success.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { type ErrorCode, ErrorCodes } from '../errors.js';

export interface StowTarget {
  name: string;
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
  caFile?: string | undefined;
}

export type InstanceOutcome =
  { uid: string; outcome: 'stored'; /** why an instance the target did not list as stored counts as stored */ note?: string } | { uid: string; outcome: 'retry' | 'rejected'; reason: string };

export interface StowResult {
  status: number;
  /** set when the whole request failed (network, auth, server error, an answer that is not DICOM) or some instances were refused */
  error?: { kind: 'network' | 'auth' | 'server' | 'config' | 'rejected'; message: string; code?: ErrorCode };
  instances: InstanceOutcome[];
}

/*
 * Failure Reason (0008,1197) in the Failed SOP Sequence (0008,1198) of a STOW-RS response (PS3.18 10.5.3,
 * Store Instances Response Module) takes the storage statuses of PS3.4 C.4.2.1.5 and the general ones of
 * PS3.7 Annex C:
 * - A7xx Refused: Out of Resources and 0110 Processing failure may pass on a later try: retried;
 * - 0111 Duplicate SOP Instance (PS3.7 Annex C) and 45070 = 0xB00E (Azure DICOM service, conformance
 *   statement "Store failure reason codes": an instance with the same Study/Series/SOP Instance UIDs has
 *   already been stored) mean the target holds this instance. Its UIDs are made once and kept in the outbox,
 *   so a re-send is the same instance, typically after an answer lost once the target had stored it: stored;
 * - anything else (A9xx Data Set does not match SOP Class, Cxxx Cannot understand, 0122 SOP Class not
 *   supported, 0124 Not authorized, Azure 43264 validation failed...) will not pass as it is: rejected.
 */
export const DUPLICATE_REASONS: ReadonlySet<number> = new Set([0x0111, 0xb00e]);
function retryable(code: number): boolean {
  return (code & 0xff00) === 0xa700 || code === 0x0110;
}
const hex = (code: number): string => '0x' + code.toString(16).padStart(4, '0').toUpperCase();

function uidsIn(json: unknown, tag: string): Array<{ uid: string; reason?: number }> {
  const seq = (json as Record<string, { Value?: Array<Record<string, { Value?: unknown[] }>> }> | undefined)?.[tag]?.Value;
  if (!Array.isArray(seq)) return [];
  return seq.map((item) => ({ uid: String(item?.['00081155']?.Value?.[0] ?? ''), reason: item?.['00081197']?.Value?.[0] as number | undefined }));
}

/** What a non-DICOM answer says, for the technician: an HTML page's title (nginx names the fault there), else its start. */
function gist(text: string): string {
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
  const plain = (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  return plain ? `"${plain.slice(0, 160)}"` : 'an empty body';
}

export class StowClient {
  constructor(readonly target: StowTarget) {}

  async store(instances: Array<{ sopInstanceUid: string; bytes: Buffer }>, timeoutMs = 60_000): Promise<StowResult> {
    const boundary = 'sonoedge-' + randomBytes(12).toString('hex');
    const parts: Buffer[] = [];
    for (const i of instances) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), i.bytes, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    const body = Buffer.concat(parts);
    const url = new URL(this.target.url.replace(/\/$/, '') + '/studies');
    const headers: Record<string, string> = {
      'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
      accept: 'application/dicom+json',
      'content-length': String(body.length),
    };
    if (this.target.token) headers.authorization = `Bearer ${this.target.token}`;
    else if (this.target.username !== undefined) headers.authorization = 'Basic ' + Buffer.from(`${this.target.username}:${this.target.password ?? ''}`).toString('base64');
    let status: number;
    let text: string;
    try {
      // read per request: a CA file fixed while the device runs is picked up without a restart
      const ca = this.target.caFile ? readFileSync(this.target.caFile) : undefined;
      ({ status, text } = await request(url, headers, body, ca, timeoutMs));
    } catch (err) {
      return {
        status: 0,
        error: { kind: 'network', message: `Cannot reach ${this.target.name} (${url.host}): ${(err as Error).message}` },
        instances: instances.map((i) => ({ uid: i.sopInstanceUid, outcome: 'retry', reason: 'network' })),
      };
    }
    const all = (reason: string): InstanceOutcome[] => instances.map((i) => ({ uid: i.sopInstanceUid, outcome: 'retry', reason }));
    if (status === 401 || status === 403) {
      return {
        status,
        error: { kind: 'auth', message: `${this.target.name} refused the credentials (HTTP ${status}); check the target's username/password or token` },
        instances: all(`HTTP ${status}`),
      };
    }
    if (status >= 500 || status === 408 || status === 429) {
      return { status, error: { kind: 'server', message: `${this.target.name} answered HTTP ${status}: ${text.slice(0, 200)}` }, instances: all(`HTTP ${status}`) };
    }
    if (status === 413) {
      return {
        status,
        error: { kind: 'server', message: `${this.target.name} refused a request of ${body.length} bytes as too large (HTTP 413); lower sync.batchSize` },
        instances: all('HTTP 413'),
      };
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const stored = new Set(uidsIn(json, '00081199').map((x) => x.uid));
    const failed = new Map(uidsIn(json, '00081198').map((x) => [x.uid, x.reason ?? 0xc000]));
    if (!instances.some((i) => stored.has(i.sopInstanceUid) || failed.has(i.sopInstanceUid))) {
      if (stored.size > 0 || failed.size > 0) {
        // a DICOM answer about other instances (or unreadable ones, with no UID): nothing here was judged
        const reasons = [...new Set(failed.values())].map(hex).join(', ') || 'none';
        const message = `${this.target.name} answered HTTP ${status} with a DICOM response that names none of the ${instances.length} instances sent (failure reasons: ${reasons}); retrying`;
        return { status, error: { kind: 'server', message }, instances: all(`HTTP ${status}, not named in the response`) };
      }
      // no DICOM answer at all (a proxy's HTML page, plain HTTP sent to an HTTPS port, a wrong path): the
      // data was never judged, so nothing is rejected; retried with backoff until the configuration is fixed
      const code = ErrorCodes.SYNC_TARGET_NOT_DICOM;
      const message = `${this.target.name} answered HTTP ${status} without a DICOM response (${gist(text)}): check the target's URL, scheme (http/https) and any proxy; retrying (${code})`;
      return { status, error: { kind: 'config', code, message }, instances: all(`HTTP ${status} without a DICOM response`) };
    }
    const outcomes = instances.map((i): InstanceOutcome => {
      const uid = i.sopInstanceUid;
      const code = failed.get(uid);
      if (code === undefined) return stored.has(uid) ? { uid, outcome: 'stored' } : { uid, outcome: 'retry', reason: 'not listed in the response' };
      if (DUPLICATE_REASONS.has(code)) return { uid, outcome: 'stored', note: `already stored at ${this.target.name} (failure reason ${hex(code)}, duplicate SOP Instance): counted as sent` };
      return { uid, outcome: retryable(code) ? 'retry' : 'rejected', reason: `HTTP ${status} failure reason ${hex(code)}` };
    });
    const refused = outcomes.filter((o) => o.outcome === 'rejected').length;
    if (refused === 0) return { status, instances: outcomes };
    const what = refused === instances.length ? 'the request' : `${refused} of ${instances.length} instances`;
    return { status, error: { kind: 'rejected', message: `${this.target.name} rejected ${what} (HTTP ${status}): ${text.slice(0, 300)}` }, instances: outcomes };
  }
}

function request(url: URL, headers: Record<string, string>, body: Buffer, ca: Buffer | undefined, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method: 'POST', headers, ...(ca ? { ca } : {}), timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
