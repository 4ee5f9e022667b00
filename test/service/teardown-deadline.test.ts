import { describe, expect, it } from 'vitest';
import { DEFAULT_TOTAL_TIMEOUT_MS, Teardown } from '../../src/app/teardown.js';

describe('the teardown overall deadline', () => {
  it('is below the unit\'s TimeoutStopSec (15 s)', () => {
    expect(DEFAULT_TOTAL_TIMEOUT_MS).toBeLessThan(15_000);
  });

  it('a step that hangs forever (with a step timeout longer than the deadline): run() still resolves, the steps after it are abandoned and named', async () => {
    const lines: Array<{ obj: object; msg: string }> = [];
    const t = new Teardown({ warn: (obj, msg) => lines.push({ obj, msg: msg ?? '' }) }, 100);
    const done: string[] = [];
    t.push('close the records database', () => done.push('db'));
    t.push('close the HTTP server', () => done.push('server'));
    t.push('stop the pipeline', () => new Promise(() => done.push('pipeline started')), 3_600_000); // never settles
    t.push('stop the sync worker', () => done.push('sync'));
    await t.run();
    expect(done).toEqual(['sync', 'pipeline started']);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toBe('Shutdown did not finish within 0.1 s; the step in flight and 2 more were abandoned (close the HTTP server, close the records database)');
    expect(lines[0]!.obj).toMatchObject({ abandoned: ['close the HTTP server', 'close the records database'] });
    // a second close() returns the same settled run
    await t.run();
    expect(done).toEqual(['sync', 'pipeline started']);
  });
});
