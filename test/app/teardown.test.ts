import { describe, expect, it } from 'vitest';
import { ConfigHolder } from '../../src/app/config-holder.js';
import { Teardown } from '../../src/app/teardown.js';
import { loadConfig } from '../../src/config/load.js';

function sink(): { warn(obj: object, msg?: string): void; lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (_obj, msg) => lines.push(msg ?? '') };
}

describe('the teardown stack', () => {
  it('undoes last-in first-out; a step that throws or hangs is logged and the next one still runs; run() never throws', async () => {
    const log = sink();
    const t = new Teardown(log);
    const done: string[] = [];
    t.push('close the database', () => done.push('db'));
    t.push('close the server', async () => {
      done.push('server');
      throw new Error('socket already closed');
    });
    t.push('release the sessions', () => new Promise(() => done.push('sessions')), 50); // never settles
    t.push('stop the source', () => done.push('source'));
    await t.run();
    expect(done).toEqual(['source', 'sessions', 'server', 'db']);
    expect(log.lines).toEqual([
      'Shutdown step "release the sessions" failed, continuing: Shutdown step "release the sessions" did not finish within 0.05 s; it was abandoned',
      'Shutdown step "close the server" failed, continuing: socket already closed',
    ]);
  });

  it('runs each step once, however many callers ask (an error path and close() racing)', async () => {
    const t = new Teardown(sink());
    let closes = 0;
    t.push('close', () => closes++);
    await Promise.all([t.run(), t.run()]);
    await t.run();
    expect(closes).toBe(1);
  });
});

describe('the config in force', () => {
  it('is replaced whole: a reader holding the old object keeps a consistent one', () => {
    const start = loadConfig(undefined, { env: {} }).config;
    const holder = new ConfigHolder(start);
    const held = holder.current();
    holder.replace({ ...start, source: { ...start.source, driver: 'replay' } });
    expect(holder.current().source.driver).toBe('replay');
    expect(held.source.driver).toBe(start.source.driver);
    expect(held).toBe(start);
  });
});
