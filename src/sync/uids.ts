import { createHmac, randomUUID } from 'node:crypto';

/** A UID under the 2.25 root (ISO/IEC 9834-8: a UUID as a decimal integer), as PS3.5 B.2 allows. */
export function newUid(): string {
  return '2.25.' + BigInt('0x' + randomUUID().replace(/-/g, '')).toString();
}

/** The same input always maps to the same 2.25 UID under one key: consistent replacement UIDs. */
export function keyedUid(key: string, input: string): string {
  const h = createHmac('sha256', key).update(input).digest('hex').slice(0, 32);
  // make it a valid version-4-style 128-bit value so it reads like any other 2.25 UUID
  return '2.25.' + BigInt('0x' + h).toString();
}

export const IMPLEMENTATION_CLASS_UID = '2.25.245934516382163812553616281306498470197';
export const IMPLEMENTATION_VERSION = 'SONOEDGE_010';
