import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { ErrorCodes, SonoError } from '../../errors.js';
import type { UploadPaceConfig } from './config.js';

/** The stream a package upload is read through: the body's bytes unchanged, counted as they arrive. */
export interface PacedBody extends Transform {
  /** Bytes received so far (Fastify reads it to check the body's length). */
  receivedEncodedLength: number;
}

/**
 * Reads a model package upload through a pace guard instead of a total deadline: a package over slow clinic
 * Wi-Fi may take many minutes, so the upload may last as long as bytes keep coming at `minBytesPerSecond` or
 * more, averaged over every `windowMs` (a Wi-Fi hiccup shorter than that is tolerated), up to `maxMs` in all.
 * A client that stalls or trickles its body (slowloris) is cut within about `windowMs`: the returned stream
 * fails with MODEL_UPLOAD_TOO_SLOW and `source` is no longer read. `ended` runs once, however the body ends.
 */
export function pacedBody(source: Readable, pace: UploadPaceConfig, ended: () => void): PacedBody {
  const start = Date.now();
  let received = 0;
  // (time, bytes received by then), oldest first; the first one is at or before the window's start
  const samples: Array<{ at: number; received: number }> = [{ at: start, received: 0 }];
  const counter = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
      received += chunk.length;
      (counter as PacedBody).receivedEncodedLength = received;
      callback(null, chunk);
    },
  }) as PacedBody;
  counter.receivedEncodedLength = 0;

  const cut = (why: 'slow' | 'long', inWindow: number): void => {
    const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
    const message =
      why === 'slow'
        ? `The model package upload brought ${kib(inWindow)} in the last ${pace.windowMs / 1000} s, under the ${kib(pace.minBytesPerSecond)}/s it must keep (${kib(received)} received in ${((Date.now() - start) / 1000).toFixed(1)} s), and was stopped. Check the network link and upload the package again, or install it from a USB stick with "sonoedge models install".`
        : `The model package upload was still running after ${pace.maxMs / 1000} s (${kib(received)} received) and was stopped. Upload it over a faster link, or install it from a USB stick with "sonoedge models install".`;
    source.unpipe(counter);
    counter.destroy(new SonoError(ErrorCodes.MODEL_UPLOAD_TOO_SLOW, message, { details: { received, inWindow, windowMs: pace.windowMs, minBytesPerSecond: pace.minBytesPerSecond, maxMs: pace.maxMs } }));
  };

  const every = Math.min(1000, Math.max(50, pace.windowMs / 4));
  let lastCheck = start;
  const check = (): void => {
    if (counter.destroyed) return;
    const now = Date.now();
    // a check this late means this process did not run (a busy or starved event loop): bytes may be waiting
    // unread in the socket, so no verdict on the client this time
    const late = now - lastCheck > 2 * every;
    lastCheck = now;
    samples.push({ at: now, received });
    while (samples.length > 1 && samples[1]!.at <= now - pace.windowMs) samples.shift();
    const base = samples[0]!;
    const inWindow = received - base.received;
    if (now - start >= pace.maxMs) cut('long', inWindow);
    else if (!late && now - base.at >= pace.windowMs && inWindow < (pace.minBytesPerSecond * (now - base.at)) / 1000) cut('slow', inWindow);
  };
  // after the poll phase (setImmediate), so the bytes that arrived meanwhile are counted before the verdict
  const timer = setInterval(() => setImmediate(check), every);
  timer.unref();

  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    clearInterval(timer);
    ended();
  };
  counter.once('close', finish);
  counter.once('end', finish);
  counter.once('error', finish);
  source.once('error', (err) => counter.destroy(err));
  source.once('close', () => {
    if (!source.readableEnded) counter.destroy(new Error('the client closed the connection before the package was received'));
  });
  source.pipe(counter);
  return counter;
}
