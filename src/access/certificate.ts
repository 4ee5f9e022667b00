/**
 * The device's own certificate authority and server certificate (`server.tls: "self-signed"`), made at first
 * start under <dataDir>/tls. Node cannot build X.509 certificates, so node-forge assembles and signs them; the
 * RSA keys come from node's crypto (fast, native). A technician pairs a tablet once by trusting the CA (its
 * SHA-256 fingerprint is shown on the System page and by `sonoedge doctor`); the server certificate is
 * re-issued from the same CA when the device's names or addresses change or it nears expiry, so the pairing stays.
 */
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import type { DeviceNames } from './device-names.js';

export interface DeviceCertificateFiles {
  caFile: string;
  caKeyFile: string;
  certFile: string;
  keyFile: string;
}

const DAY = 86_400_000;
/** Browsers refuse server certificates valid for longer than 825 days. */
const SERVER_DAYS = 800;
const CA_DAYS = 20 * 365;
const RENEW_BEFORE_DAYS = 30;

export function deviceCertificateFiles(dataDir: string): DeviceCertificateFiles {
  const dir = join(dataDir, 'tls');
  return { caFile: join(dir, 'ca.crt'), caKeyFile: join(dir, 'ca.key'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

function rsaKeys(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

function baseCertificate(publicPem: string, days: number, now: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = '01' + randomBytes(15).toString('hex'); // positive, unique
  cert.validity.notBefore = new Date(now - DAY); // a clock a little behind still accepts it
  cert.validity.notAfter = new Date(now + days * DAY);
  return cert;
}

function makeCa(deviceName: string, now: number): { certPem: string; keyPem: string } {
  const keys = rsaKeys();
  const cert = baseCertificate(keys.publicPem, CA_DAYS, now);
  const subject = [
    { name: 'commonName', value: `sonoedge device CA ${deviceName}` },
    { name: 'organizationName', value: 'sonoedge' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

function makeServer(names: DeviceNames, caPem: string, caKeyPem: string, now: number): { certPem: string; keyPem: string } {
  const ca = forge.pki.certificateFromPem(caPem);
  const keys = rsaKeys();
  const cert = baseCertificate(keys.publicPem, SERVER_DAYS, now);
  cert.setSubject([
    { name: 'commonName', value: names.hosts[1] ?? 'sonoedge' },
    { name: 'organizationName', value: 'sonoedge' },
  ]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [...names.hosts.map((value) => ({ type: 2, value })), ...names.ips.map((ip) => ({ type: 7, ip }))] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(caKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/** True when the server certificate names every host and address and is not about to expire. */
function serverCertificateFits(certPem: string, names: DeviceNames, now: number): boolean {
  const cert = new X509Certificate(certPem);
  if (Date.parse(cert.validTo) - now < RENEW_BEFORE_DAYS * DAY) return false;
  return names.hosts.every((h) => cert.checkHost(h, { subject: 'never' }) !== undefined) && names.ips.every((ip) => cert.checkIP(ip) !== undefined);
}

/** Makes (first start) or renews the device CA and server certificate; returns their files. */
export function ensureDeviceCertificate(dataDir: string, names: DeviceNames, now = Date.now()): DeviceCertificateFiles {
  const files = deviceCertificateFiles(dataDir);
  try {
    mkdirSync(join(dataDir, 'tls'), { recursive: true, mode: 0o700 });
    if (!existsSync(files.caFile) || !existsSync(files.caKeyFile)) {
      const ca = makeCa(names.hosts[1] ?? 'sonoedge', now);
      writeFileSync(files.caKeyFile, ca.keyPem, { mode: 0o600 });
      writeFileSync(files.caFile, ca.certPem, { mode: 0o644 });
    }
    if (!existsSync(files.certFile) || !existsSync(files.keyFile) || !serverCertificateFits(readFileSync(files.certFile, 'utf8'), names, now)) {
      const server = makeServer(names, readFileSync(files.caFile, 'utf8'), readFileSync(files.caKeyFile, 'utf8'), now);
      writeFileSync(files.keyFile, server.keyPem, { mode: 0o600 });
      // the chain (server, then CA) so a client that trusts the CA can build the path
      writeFileSync(files.certFile, server.certPem + readFileSync(files.caFile, 'utf8'), { mode: 0o644 });
    }
  } catch (err) {
    throw new SonoError(
      ErrorCodes.TLS_FAILED,
      `Cannot make the device certificate under ${join(dataDir, 'tls')}: ${errorMessage(err)}. Check that the folder is writable, or set server.tls to { certFile, keyFile }.`,
      { cause: err },
    );
  }
  return files;
}
