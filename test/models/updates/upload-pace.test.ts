/**
 * The pace guard on its own (the real daemon's upload route: test/server/model-upload-pace.test.ts): the bytes pass
 * unchanged and counted, and an upload is stopped at maxMs in all even while it keeps the minimum rate.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, SonoError } from '../../../src/errors.js';
import { pacedBody } from '../../../src/models/updates/upload-pace.js';

describe('pacedBody', () => {
  it('passes the bytes unchanged, counts them, and reports its end once', async () => {
    const source = new PassThrough();
    let ended = 0;
    const body = pacedBody(source, { minBytesPerSecond: 1, windowMs: 1000, maxMs: 60_000 }, () => ended++);
    const chunks: Buffer[] = [];
    body.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((resolve) => body.once('close', resolve));
    source.write(Buffer.from('abc'));
    source.end(Buffer.from('def'));
    await done;
    expect(Buffer.concat(chunks).toString()).toBe('abcdef');
    expect(body.receivedEncodedLength).toBe(6);
    expect(ended).toBe(1);
  });

  it('stops an upload still running after maxMs, however fast, with MODEL_UPLOAD_TOO_SLOW', async () => {
    const source = new PassThrough();
    let ended = 0;
    const t0 = Date.now();
    const body = pacedBody(source, { minBytesPerSecond: 1, windowMs: 1000, maxMs: 1000 }, () => ended++);
    body.resume();
    const feed = setInterval(() => source.write(Buffer.alloc(64 * 1024)), 20); // the client's link, not a wait
    const err = await new Promise<unknown>((resolve) => body.once('error', resolve)).finally(() => clearInterval(feed));
    expect(err).toBeInstanceOf(SonoError);
    expect((err as SonoError).code).toBe(ErrorCodes.MODEL_UPLOAD_TOO_SLOW);
    expect((err as SonoError).message).toMatch(/still running after 1 s .*USB stick/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(body.receivedEncodedLength).toBeGreaterThan(64 * 1024);
    expect(ended).toBe(1);
  });
});
