import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_TASKS, EXAM_TYPES, FLAG_CODES, TASK_OF_EXAM, clientMessage, parseClientMessage, parseServerMessage } from '../../src/protocol/index.js';
import { packageRoot } from '../../src/util/package-root.js';

describe('live WebSocket messages', () => {
  it('a client message is checked field by field; anything else is dropped', () => {
    expect(parseClientMessage(clientMessage({ type: 'exam-type', examType: 'breast' }))).toEqual({ type: 'exam-type', examType: 'breast' });
    expect(parseClientMessage('{"type":"enhance","on":false,"extra":1}')).toEqual({ type: 'enhance', on: false });
    for (const bad of ['', 'not json', '[]', 'null', '{"type":"exam-type","examType":"cardiac"}', '{"type":"enhance","on":"yes"}', '{"type":"shutdown"}']) {
      expect(parseClientMessage(bad), bad).toBeUndefined();
    }
  });

  it('a server message is known by its type', () => {
    expect(parseServerMessage('{"type":"result","seq":3,"result":{"task":"fetal-head"}}')).toMatchObject({ type: 'result', seq: 3 });
    expect(parseServerMessage('{"type":"mystery"}')).toBeUndefined();
    expect(parseServerMessage('{')).toBeUndefined();
  });
});

describe('shared vocabulary', () => {
  it('every exam type has a diagnostic task', () => {
    for (const t of EXAM_TYPES) expect(DIAGNOSTIC_TASKS.has(TASK_OF_EXAM[t])).toBe(true);
  });

  it('every flag code the daemon writes as a literal is in FLAG_CODES (the UI translates by it)', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(join(packageRoot(), 'src'));
    const used = new Set<string>();
    for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/\bflag\('([a-z0-9-]+)'/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((c) => !(FLAG_CODES as readonly string[]).includes(c))).toEqual([]);
  });
});
