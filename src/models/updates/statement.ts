import { type KeyObject, createHash, createPublicKey, sign as edSign, verify as edVerify } from 'node:crypto';
import { type Static, Type as T } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import { MODEL_ID_PATTERN, MODEL_NAME_MAX_LENGTH, MODEL_VERSION_PATTERN, isModelId, isModelVersion } from '../manifest.js';

/**
 * The signed statement at the head of every package (`statement.json`): which model and version this is,
 * which runtime `apiVersion` range it needs, until when it may be installed, and the SHA-256 of every
 * other file. The signature covers the payload's exact bytes (kept base64 in the envelope, so no JSON
 * canonicalisation is needed) prefixed with the statement type, so it can never be read as another kind
 * of signed message.
 */
export const STATEMENT_FILE = 'statement.json';
export const STATEMENT_TYPE = 'sonoedge-model-statement/v1';

export const StatementPayload = T.Object(
  {
    type: T.Literal(STATEMENT_TYPE),
    id: T.String({ pattern: MODEL_ID_PATTERN, maxLength: MODEL_NAME_MAX_LENGTH }),
    version: T.String({ pattern: MODEL_VERSION_PATTERN, maxLength: MODEL_NAME_MAX_LENGTH }),
    apiVersion: T.Object({ min: T.Integer(), max: T.Integer() }, { additionalProperties: false }),
    signedAt: T.Optional(T.String()),
    expires: T.Optional(T.String({ description: 'ISO 8601; absent only before signing' })),
    files: T.Record(T.String(), T.String({ pattern: '^[0-9a-f]{64}$' })),
  },
  { additionalProperties: false },
);
export type StatementPayload = Static<typeof StatementPayload>;

const Envelope = T.Object(
  {
    payload: T.String({ description: 'base64 of the payload JSON bytes' }),
    signatures: T.Array(T.Object({ keyid: T.String(), sig: T.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type Envelope = Static<typeof Envelope>;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A key's id: the first 16 hex digits of the SHA-256 of its SPKI DER (what `models verify` prints). */
export function keyId(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' })).slice(0, 16);
}

function signedBytes(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${STATEMENT_TYPE}\n`), payload]);
}

export function encodeEnvelope(payload: StatementPayload, signatures: Envelope['signatures'] = []): Buffer {
  const env: Envelope = { payload: Buffer.from(JSON.stringify(payload)).toString('base64'), signatures };
  return Buffer.from(JSON.stringify(env, null, 2) + '\n');
}

/** Signs `payload` with an ed25519 private key; returns the statement file's bytes. */
export function signStatement(payload: StatementPayload, privateKey: KeyObject): Buffer {
  const publicKey = createPublicKey(privateKey);
  const bytes = Buffer.from(JSON.stringify(payload));
  const sig = edSign(null, signedBytes(bytes), privateKey).toString('base64');
  return Buffer.from(JSON.stringify({ payload: bytes.toString('base64'), signatures: [{ keyid: keyId(publicKey), sig }] }, null, 2) + '\n');
}

export interface ParsedStatement {
  envelope: Envelope;
  payloadBytes: Buffer;
  payload: StatementPayload;
}

/** Parses a statement file; throws MODEL_SIGNATURE_INVALID when it is not one (signatures are checked elsewhere). */
export function parseStatement(bytes: Uint8Array): ParsedStatement {
  let envelope: unknown;
  let payload: unknown;
  let payloadBytes: Buffer;
  try {
    envelope = JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (!Value.Check(Envelope, envelope)) throw new Error('not a { payload, signatures } envelope');
    payloadBytes = Buffer.from(envelope.payload, 'base64');
    payload = JSON.parse(payloadBytes.toString('utf8'));
  } catch (err) {
    throw new SonoError(ErrorCodes.MODEL_SIGNATURE_INVALID, `Model package's ${STATEMENT_FILE} cannot be read (${errorMessage(err)}); the package is damaged or was not made by \`sonoedge models pack\`.`, { cause: err });
  }
  checkNames(payload, `Model package's ${STATEMENT_FILE}`);
  if (!Value.Check(StatementPayload, payload)) {
    const first = [...Value.Errors(StatementPayload, payload)][0];
    throw new SonoError(ErrorCodes.MODEL_SIGNATURE_INVALID, `Model package's ${STATEMENT_FILE} payload is invalid at ${first?.path || '/'}: ${first?.message ?? 'unknown'}; rebuild it with \`sonoedge models pack\`.`);
  }
  return { envelope, payloadBytes, payload };
}

/** Whether `sig` (base64) is `publicKey`'s signature over the payload bytes. */
export function signatureValid(payloadBytes: Buffer, sig: string, publicKey: KeyObject): boolean {
  try {
    return edVerify(null, signedBytes(payloadBytes), publicKey, Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

/**
 * The id and version name folders (`<dataDir>/models/<id>/<version>/`): one that is not a plain id or semantic
 * version is refused with its own code, naming the field, before anything else reads it (a signed package
 * with version "1.0.0-x/../../.." must never reach the filesystem). Fields of another type are left to the schema.
 */
export function checkNames(raw: unknown, where: string): void {
  if (typeof raw !== 'object' || raw === null) return;
  const { id, version } = raw as { id?: unknown; version?: unknown };
  if (typeof id === 'string' && !isModelId(id)) {
    throw new SonoError(
      ErrorCodes.MODEL_ID_INVALID,
      `${where} field "id" is ${JSON.stringify(id.slice(0, 100))}, not a model id (lowercase letters, digits and '-', at most ${MODEL_NAME_MAX_LENGTH}); the package is refused. Ask the vendor for a correctly built package.`,
      { details: { field: 'id' } },
    );
  }
  if (typeof version === 'string' && !isModelVersion(version)) {
    throw new SonoError(
      ErrorCodes.MODEL_VERSION_INVALID,
      `${where} field "version" is ${JSON.stringify(version.slice(0, 100))}, not a semantic version (MAJOR.MINOR.PATCH with an optional -pre-release and +build of letters, digits, '-' and '.', at most ${MODEL_NAME_MAX_LENGTH}); the package is refused. Ask the vendor for a correctly versioned package.`,
      { details: { field: 'version' } },
    );
  }
}
