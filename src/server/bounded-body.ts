import type { IncomingMessage } from 'node:http';
import { ErrorCodes, SonoError } from '../errors.js';

/**
 * Reads a request body into one Buffer, refusing it as soon as it is known to exceed `limit` bytes: at once
 * from its Content-Length, else at the first chunk past the limit. Nothing past the limit is kept, so a huge
 * body costs no memory and never blocks the event loop.
 */
export function readBounded(payload: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const tooLarge = (bytes: number | string): SonoError =>
    new SonoError(ErrorCodes.FRAME_TOO_LARGE, `${what} is ${bytes} bytes, more than the ${limit} bytes the largest recent frame of this source takes; post a frame the daemon sent`, {
      details: { bytes, limit },
    });
  const declared = Number(payload.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(declared));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        payload.off('data', onData);
        chunks.length = 0;
        // the rest of the body is read and dropped by the HTTP server once the answer is sent
        reject(tooLarge(`over ${limit}`));
        return;
      }
      chunks.push(c);
    };
    payload.on('data', onData);
    payload.once('end', () => resolve(Buffer.concat(chunks, size)));
    payload.once('error', reject);
  });
}
