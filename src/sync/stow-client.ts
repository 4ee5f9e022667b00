/**
 * STOW-RS (PS3.18 10.5) client: POST {root}/studies, multipart/related; type="application/dicom",
 * basic or bearer auth, TLS with a custom CA. The outcome is read per instance from the response's
 * Referenced SOP Sequence (0008,1199) and Failed SOP Sequence (0008,1198): a partial success is not a success.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export interface StowTarget {
  name: string;
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
  caFile?: string | undefined;
}

export type InstanceOutcome = { uid: string; outcome: 'stored' } | { uid: string; outcome: 'retry' | 'rejected'; reason: string };

export interface StowResult {
  status: number;
  /** set when the whole request failed (network, auth, server error) */
  error?: { kind: 'network' | 'auth' | 'server' | 'rejected'; message: string };
  instances: InstanceOutcome[];
}

// Failure reasons (PS3.18 Table 10.5.3-1 / PS3.4 C.4.2.1.5): A7xx out of resources and 0110 processing
// failure may pass on retry; others (A900 mismatch, C000 cannot understand, 0122 class not supported) won't.
function retryable(code: number): boolean {
  return (code & 0xff00) === 0xa700 || code === 0x0110 || code === 0x0111;
}

function uidsIn(json: unknown, tag: string): Array<{ uid: string; reason?: number }> {
  const seq = (json as Record<string, { Value?: Array<Record<string, { Value?: unknown[] }>> }> | undefined)?.[tag]?.Value ?? [];
  return seq.map((item) => ({ uid: String(item['00081155']?.Value?.[0] ?? ''), reason: item['00081197']?.Value?.[0] as number | undefined }));
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
    const all = (outcome: 'retry' | 'rejected', reason: string): InstanceOutcome[] => instances.map((i) => ({ uid: i.sopInstanceUid, outcome, reason }));
    if (status === 401 || status === 403) {
      return {
        status,
        error: { kind: 'auth', message: `${this.target.name} refused the credentials (HTTP ${status}); check the target's username/password or token` },
        instances: all('retry', `HTTP ${status}`),
      };
    }
    if (status >= 500 || status === 408 || status === 429) {
      return { status, error: { kind: 'server', message: `${this.target.name} answered HTTP ${status}: ${text.slice(0, 200)}` }, instances: all('retry', `HTTP ${status}`) };
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const stored = new Set(uidsIn(json, '00081199').map((x) => x.uid));
    const failed = new Map(uidsIn(json, '00081198').map((x) => [x.uid, x.reason ?? 0xc000]));
    if (status === 413) {
      return {
        status,
        error: { kind: 'server', message: `${this.target.name} refused a request of ${body.length} bytes as too large (HTTP 413); lower sync.batchSize` },
        instances: all('retry', 'HTTP 413'),
      };
    }
    if (status >= 400 && status !== 400 && status !== 409 && status !== 415) {
      // 404 from a misrouted proxy and other 4xx: probably configuration, not the data — keep retrying
      return { status, error: { kind: 'server', message: `${this.target.name} answered HTTP ${status}: ${text.slice(0, 200)}` }, instances: all('retry', `HTTP ${status}`) };
    }
    if (status >= 400) {
      // 400/409/415: permanent, unless the Failed SOP Sequence gives a reason that may pass on retry
      return {
        status,
        error: { kind: 'rejected', message: `${this.target.name} rejected the request (HTTP ${status}): ${text.slice(0, 300)}` },
        instances: instances.map((i): InstanceOutcome => {
          if (stored.has(i.sopInstanceUid)) return { uid: i.sopInstanceUid, outcome: 'stored' };
          const code = failed.get(i.sopInstanceUid);
          if (code !== undefined && retryable(code)) return { uid: i.sopInstanceUid, outcome: 'retry', reason: `HTTP ${status} reason 0x${code.toString(16)}` };
          return { uid: i.sopInstanceUid, outcome: 'rejected', reason: `HTTP ${status}${code !== undefined ? ` reason 0x${code.toString(16)}` : ''}` };
        }),
      };
    }
    return {
      status,
      instances: instances.map((i): InstanceOutcome => {
        if (failed.has(i.sopInstanceUid)) {
          const code = failed.get(i.sopInstanceUid)!;
          return { uid: i.sopInstanceUid, outcome: retryable(code) ? 'retry' : 'rejected', reason: `failure reason 0x${code.toString(16)}` };
        }
        if (stored.has(i.sopInstanceUid)) return { uid: i.sopInstanceUid, outcome: 'stored' };
        return { uid: i.sopInstanceUid, outcome: 'retry', reason: 'not listed in the response' };
      }),
    };
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
