/**
 * HTTPS for the composition root: what to hand fastify's `https` option, the fingerprint to show for pairing,
 * and the refusal to serve plain HTTP beyond loopback.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import { ensureDeviceCertificate, deviceCertificateFiles } from './certificate.js';
import { deviceNames, isLoopback } from './device-names.js';

type ServerConfig = Config['server'];

export interface HttpsOptions {
  key: Buffer;
  cert: Buffer;
}

/**
 * fastify's `https` option for `server.tls`, or undefined for plain HTTP. "self-signed" makes or renews the
 * device certificate under <dataDir>/tls; certificate files are resolved against the config file's folder.
 */
export function httpsOptionsFor(server: ServerConfig, dataDir: string, baseDir = process.cwd()): HttpsOptions | undefined {
  if (server.tls === undefined) return undefined;
  const { certFile, keyFile } =
    server.tls === 'self-signed'
      ? ensureDeviceCertificate(dataDir, deviceNames(server.allowedHosts, server.host))
      : { certFile: resolve(baseDir, server.tls.certFile), keyFile: resolve(baseDir, server.tls.keyFile) };
  let files: HttpsOptions;
  try {
    files = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  } catch (err) {
    throw new SonoError(ErrorCodes.TLS_FAILED, `Cannot read the TLS certificate ${certFile} or key ${keyFile}: ${errorMessage(err)}. Fix server.tls, or set it to "self-signed".`, { cause: err });
  }
  // parsed here, where the files are named: later, inside the HTTPS server, only bare OpenSSL text came out
  try {
    new X509Certificate(files.cert);
    createSecureContext(files);
  } catch (err) {
    throw new SonoError(
      ErrorCodes.TLS_FAILED,
      `The TLS certificate ${certFile} or key ${keyFile} cannot be used (${pemProblem(err)}). Put back the previous files, or set server.tls to "self-signed".`,
      { cause: err },
    );
  }
  return files;
}

/** What an OpenSSL error about PEM files means, in words a technician can act on. */
function pemProblem(err: unknown): string {
  const m = errorMessage(err);
  if (/key values mismatch/i.test(m)) return 'the key does not belong to the certificate';
  if (/bad end line|too long|header too long/i.test(m)) return 'a file is cut short';
  if (/no start line|bad base64|unsupported|not enough data|wrong tag|DECODER/i.test(m)) return 'a file is not a PEM certificate or key of the right kind, or the two are swapped';
  return m;
}

/** SHA-256 fingerprints (AA:BB:… form) of the certificate served and, for "self-signed", of the device CA to trust. */
export function tlsFingerprints(server: ServerConfig, dataDir: string, baseDir = process.cwd()): { certificate: string; ca?: string } | undefined {
  if (server.tls === undefined) return undefined;
  const files = server.tls === 'self-signed' ? deviceCertificateFiles(dataDir) : { certFile: resolve(baseDir, server.tls.certFile), caFile: undefined };
  if (!existsSync(files.certFile)) return undefined;
  let certificate: string;
  try {
    certificate = new X509Certificate(readFileSync(files.certFile)).fingerprint256;
  } catch (err) {
    throw new SonoError(
      ErrorCodes.TLS_FAILED,
      `The TLS certificate ${files.certFile} cannot be read as a certificate (${pemProblem(err)}). Put back the previous file, or set server.tls to "self-signed".`,
      { cause: err },
    );
  }
  const ca = files.caFile && existsSync(files.caFile) ? new X509Certificate(readFileSync(files.caFile)).fingerprint256 : undefined;
  return ca ? { certificate, ca } : { certificate };
}

/** Refuses a non-loopback bind without TLS unless `allowInsecureHttp` says the clinic accepts it. */
export function checkBindSecurity(server: Pick<ServerConfig, 'host' | 'tls' | 'allowInsecureHttp'>): void {
  if (server.tls !== undefined || server.allowInsecureHttp || isLoopback(server.host)) return;
  throw new SonoError(
    ErrorCodes.INSECURE_BIND_REFUSED,
    `Refusing to serve plain HTTP on ${server.host}: PINs, passwords and patient data would cross the network unencrypted. ` +
      'Set server.tls to "self-signed" (a device certificate is made under the data directory) or to { certFile, keyFile }, ' +
      'or bind to 127.0.0.1, or set server.allowInsecureHttp: true if the network is otherwise protected.',
  );
}
