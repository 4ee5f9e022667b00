import type { Readable } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import { errorCodes } from 'fastify';

/**
 * Reads a model package upload (up to modelUpdates.maxPackageBytes) into shared memory as it arrives, so the
 * package check's worker thread reads it in place: Fastify's buffer parser joins the chunks in one copy at
 * the end (~0.2 s of a blocked event loop for a 256 MiB package on this board) and the worker would need
 * another. Same refusals as Fastify's own parser: over `limit` (by Content-Length at once, else as bytes come)
 * → FST_ERR_CTP_BODY_TOO_LARGE, a body that is not its Content-Length → FST_ERR_CTP_INVALID_CONTENT_LENGTH,
 * a stream error (a paced upload cut as too slow) → that error.
 */
export function readPackageBody(headers: { 'content-length'?: string }, payload: Readable & { receivedEncodedLength?: number }, limit: number): Promise<Buffer> {
  const declared = Number(headers['content-length']);
  if (declared > limit) return Promise.reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  const known = Number.isSafeInteger(declared) && declared >= 0;
  const into = known ? Buffer.from(new SharedArrayBuffer(declared)) : undefined;
  const chunks: Buffer[] = []; // without a Content-Length (chunked): joined at the end, in slices
  let received = 0;
  return new Promise<Buffer>((resolve, reject) => {
    const stop = (): void => {
      payload.off('data', onData).off('end', onEnd).off('error', onEnd);
    };
    function onData(chunk: Buffer | string): void {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (into && received + b.length <= into.length) into.set(b, received);
      else if (!into) chunks.push(b);
      received += b.length;
      if (received > limit || (payload.receivedEncodedLength ?? 0) > limit) {
        stop();
        reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      }
    }
    function onEnd(err?: Error & { statusCode?: number }): void {
      stop();
      if (err) {
        if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
        reject(err);
      } else if (known && (payload.receivedEncodedLength || received) !== declared) reject(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      else resolve(into ?? joinShared(chunks, received));
    }
    payload.on('data', onData).on('end', onEnd).on('error', onEnd);
    payload.resume();
  });
}

async function joinShared(chunks: Buffer[], total: number): Promise<Buffer> {
  const out = Buffer.from(new SharedArrayBuffer(total));
  let off = 0;
  for (let i = 0; i < chunks.length; i++) {
    out.set(chunks[i]!, off);
    off += chunks[i]!.length;
    if (i % 256 === 255) await turn();
  }
  return out;
}
