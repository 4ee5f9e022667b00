/**
 * Certificate files a technician may put in place by mistake (session-15 review: the daemon exited with bare
 * OpenSSL text such as "error:04800064:PEM routines::bad base64 decode", naming no file, and `sonoedge doctor`
 * crashed on the same file before its disk, clock and unit lines). Real certificates made by openssl; the
 * loader the daemon starts with (httpsOptionsFor) and doctor as a real process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpsOptionsFor } from '../../src/access/tls.js';
import { SonoError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('sonoedge-tls-bad-');
const pair = (name: string): { cert: string; key: string } => {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-days', '30', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
};
const a = pair('a');
const b = pair('b');
const garbage = join(dir, 'garbage.crt');
writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nnot base64 at all!!\n-----END CERTIFICATE-----\n');
const cut = join(dir, 'cut.crt');
const whole = readFileSync(a.cert, 'utf8');
writeFileSync(cut, whole.slice(0, Math.floor(whole.length / 2)));

const server = (certFile: string, keyFile: string): Parameters<typeof httpsOptionsFor>[0] =>
  ({
    host: '127.0.0.1',
    port: 0,
    tls: { certFile, keyFile },
    allowInsecureHttp: false,
    allowedHosts: [],
    rateLimit: { max: 600, windowMs: 60_000, signInMax: 20 },
    maxWebSockets: 16,
    requestTimeoutMs: 30_000,
  }) as never;

function refusal(certFile: string, keyFile: string): SonoError {
  try {
    httpsOptionsFor(server(certFile, keyFile), join(dir, 'data'));
  } catch (err) {
    if (err instanceof SonoError) return err;
    throw new Error(`not a coded error: ${String(err)}`);
  }
  throw new Error('accepted');
}

describe('bad certificate files', () => {
  it('are refused at start-up with a code, the file names and what to do', () => {
    expect(httpsOptionsFor(server(a.cert, a.key), join(dir, 'data'))).toBeDefined();
    const cases: Array<[string, string, RegExp]> = [
      [garbage, a.key, /not a PEM certificate or key/],
      [cut, a.key, /cut short|not a PEM/],
      [a.cert, b.key, /the key does not belong to the certificate/],
      [a.key, a.cert, /not a PEM certificate or key of the right kind, or the two are swapped/],
    ];
    for (const [certFile, keyFile, why] of cases) {
      const e = refusal(certFile, keyFile);
      expect(e.code).toBe('SONO_TLS_FAILED');
      expect(e.message).toContain(certFile);
      expect(e.message).toMatch(why);
      expect(e.message).toMatch(/Put back the previous files, or set server.tls to "self-signed"/);
    }
  });

  it('are one failed line of sonoedge doctor, which goes on with its other checks', () => {
    const config = join(dir, 'doctor.yaml');
    writeFileSync(config, `dataDir: ${join(dir, 'doctor-data')}\nserver: { tls: { certFile: ${garbage}, keyFile: ${a.key} } }\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'doctor', '--config', config], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout).toMatch(/^https: FAILED The TLS certificate .*garbage\.crt cannot be read as a certificate/m);
    expect(r.stdout).toMatch(/^clock: \d{4}-/m);
    expect(r.stdout).toMatch(/^unit hardening: /m);
    expect(r.status).toBe(1);
  });
});
