/**
 * /api/live speaks src/protocol over a real WebSocket of a real daemon: `hello` carries the protocol
 * version, every frame decodes with the one decoder (version checked, imaging region kept), every text
 * message has a known type, and a client's malformed or unknown messages are ignored without closing
 * the connection (a valid request right after is still answered).
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { type DecodedFrameHeader, PROTOCOL_VERSION, type ServerMessage, TASKS, clientMessage, decodeFrameHeader, parseServerMessage } from '../../src/protocol/index.js';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { liveHeaders } from '../helpers/auth.js';
import { tempDir } from '../helpers/tmp.js';

describe('live WebSocket protocol', () => {
  let d: Daemon;
  beforeAll(async () => {
    d = await startTestDaemon(tempDir());
    await waitForHealth(d.url, 200);
  });
  afterAll(async () => d?.close());

  it('hello with the protocol version, decodable frames with their region, typed messages; bad client messages ignored', async () => {
    const ws = new WebSocket(d.url.replace('http', 'ws') + '/api/live', { headers: liveHeaders(d.url) });
    const frames: DecodedFrameHeader[] = [];
    const texts: ServerMessage[] = [];
    const unknown: string[] = [];
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) frames.push(decodeFrameHeader(data));
      else {
        const m = parseServerMessage(data.toString());
        if (m) texts.push(m);
        else unknown.push(data.toString().slice(0, 80));
      }
    });
    const until = async (pred: () => boolean): Promise<void> => {
      while (!pred()) await new Promise((r) => setTimeout(r, 25));
    };
    await until(() => texts.some((m) => m.type === 'hello'));
    const hello = texts.find((m) => m.type === 'hello');
    expect(hello).toMatchObject({ type: 'hello', protocol: PROTOCOL_VERSION });
    for (const bad of ['not json', '[1,2]', '{"type":"exam-type","examType":"cardiac"}', '{"type":"enhance","on":"yes"}', '{"type":"shutdown"}']) ws.send(bad);
    ws.send(clientMessage({ type: 'enhance', on: true }));
    // with the enhanced view on, enhanced frames (kind 1) come between the raw ones; since the enhancer runs in its
    // own lane the last frame may be either (the test once read the last frame and found an enhanced one)
    const raw = (): DecodedFrameHeader[] => frames.filter((f) => f.kind === 0);
    // results of both lanes come as text: the enhancer's (task enhance) may come before the first head result
    const headResult = (m: ServerMessage): boolean => m.type === 'result' && m.result.task === 'fetal-head';
    await until(() => texts.some((m) => m.type === 'enhance') && raw().length >= 3 && texts.some(headResult));
    const answer = texts.find((m) => m.type === 'enhance') as { on: boolean; available: boolean };
    expect(answer.on).toBe(answer.available); // on when an enhancement model is loaded
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(frames.every((f) => f.kind === 0 || (f.kind === 1 && answer.available))).toBe(true);
    const f = raw().at(-1)!;
    expect(f.region.width).toBeGreaterThan(0);
    expect(f.region.x + f.region.width).toBeLessThanOrEqual(f.width);
    expect(texts.filter((m) => m.type === 'result').every((m) => (Object.values(TASKS) as string[]).includes(m.result.task))).toBe(true);
    expect(texts.find(headResult)).toMatchObject({ type: 'result', result: { task: 'fetal-head', detected: expect.any(Boolean) } });
    expect(unknown).toEqual([]);
    ws.close();
  });
});
