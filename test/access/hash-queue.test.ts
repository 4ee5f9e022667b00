/**
 * The sign-in hashing queue's rules (src/access/hash-queue.ts), with jobs the test finishes one by one (no
 * hashing, no timing): lanes served in turn, the device's own screen never refused for the network's backlog,
 * a tablet with nothing waiting served past `total` up to `hardCap`, a sign-in with no address bounded like any
 * other, account management in a lane of its own asked for by name, a sign-in whose client went away while it
 * waited leaves unhashed and frees its place.
 */
import { describe, expect, it } from 'vitest';
import { HashQueue, type HashQueueEvent, type HashQueueLimits } from '../../src/access/hash-queue.js';

const LIMITS: HashQueueLimits = { concurrent: 2, perClient: 3, total: 16, hardCap: 32 };

/** A queue whose jobs wait until the test finishes them, oldest first. */
function heldQueue(limits: HashQueueLimits = LIMITS): {
  q: HashQueue;
  events: HashQueueEvent[];
  signIn: (client: string) => Promise<string>;
  finishOne: () => Promise<void>;
} {
  const q = new HashQueue(limits);
  const events: HashQueueEvent[] = [];
  q.observe((e) => events.push(e));
  const running: Array<() => void> = [];
  const signIn = (client: string): Promise<string> => {
    const p = q.forSignIn(client, () => new Promise<string>((resolve) => running.push(() => resolve(client))));
    p.catch(() => undefined);
    return p;
  };
  const finishOne = async (): Promise<void> => {
    running.shift()!();
    // the queue starts the next one once the finished job's promise has settled
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { q, events, signIn, finishOne };
}

/** 'admitted' (queued: it waits for its turn), or the code and scope of its refusal, which comes at once. */
async function refusal(p: Promise<unknown>): Promise<string> {
  let outcome = 'admitted';
  p.then(
    () => (outcome = 'finished'),
    (e: { code?: string; details?: { scope?: string } }) => (outcome = `${e.code} ${e.details?.scope}`),
  );
  await new Promise((r) => setImmediate(r));
  return outcome;
}

describe('the hashing queue', () => {
  it('serves lanes in turn: a second address starts after at most one hash per lane ahead of it', async () => {
    const { events, signIn, finishOne } = heldQueue({ ...LIMITS, perClient: 10 });
    for (let i = 0; i < 10; i++) void signIn('10.0.0.2');
    void signIn('10.0.0.3');
    const started = (): string[] => events.filter((e) => e.kind === 'started').map((e) => e.client!);
    while (!started().includes('10.0.0.3')) await finishOne();
    // two were running when it came, one lane (the flood's) was ahead of it in the ring: one more flood hash
    expect(started().indexOf('10.0.0.3')).toBe(3);
  });

  it("never refuses the device's own screen for the network's backlog, only for its own share", async () => {
    const { q, signIn } = heldQueue();
    for (let i = 0; i < 32; i++) void signIn(`10.0.1.${i + 1}`);
    expect(await refusal(signIn('10.0.2.1'))).toBe('SONO_ACCESS_SIGN_IN_BUSY device');
    for (const screen of ['127.0.0.1', '::1']) {
      for (let i = 0; i < LIMITS.perClient; i++) expect(await refusal(signIn(screen))).toBe('admitted');
      expect(await refusal(signIn(screen))).toBe('SONO_ACCESS_SIGN_IN_BUSY address');
    }
    expect(q.load().held).toBe(32 + 2 * LIMITS.perClient);
  });

  it('past `total`, refuses the addresses already holding a place and serves the others, up to `hardCap`', async () => {
    const { q, signIn } = heldQueue();
    for (let a = 1; a <= 8; a++) for (let i = 0; i < 2; i++) void signIn(`10.0.3.${a}`);
    expect(q.load().held).toBe(LIMITS.total);
    // a NAT'd ward whose address holds two: refused; a tablet with none waiting: served
    expect(await refusal(signIn('10.0.3.1'))).toBe('SONO_ACCESS_SIGN_IN_BUSY device');
    expect(await refusal(signIn('10.0.4.1'))).toBe('admitted');
    expect(await refusal(signIn('10.0.4.1'))).toBe('SONO_ACCESS_SIGN_IN_BUSY device');
    for (let a = 2; a <= 16; a++) expect(await refusal(signIn(`10.0.4.${a}`))).toBe('admitted');
    expect(q.load().held).toBe(LIMITS.hardCap);
    expect(await refusal(signIn('10.0.5.1'))).toBe('SONO_ACCESS_SIGN_IN_BUSY device');
    expect(q.load()).toMatchObject({ held: LIMITS.hardCap, peak: LIMITS.hardCap, refused: 3 });
  });

  it('bounds a sign-in with no address like any address, and keeps account management apart, never refused', async () => {
    const { q, events, signIn } = heldQueue();
    for (let i = 0; i < LIMITS.perClient; i++) expect(await refusal(signIn(undefined as unknown as string))).toBe('admitted');
    expect(await refusal(signIn(undefined as unknown as string))).toBe('SONO_ACCESS_SIGN_IN_BUSY address');
    expect(await refusal(signIn(''))).toBe('SONO_ACCESS_SIGN_IN_BUSY address');
    expect(events.filter((e) => e.kind === 'queued').map((e) => e.client)).toEqual(['unknown', 'unknown', 'unknown']);
    for (let i = 0; i < 40; i++) void q.forAccount(() => new Promise(() => undefined));
    expect(q.load()).toMatchObject({ held: LIMITS.perClient + 40, refused: 2 });
    expect(events.filter((e) => e.kind === 'queued' && e.client === null)).toHaveLength(40);
  });

  it('drops a waiting sign-in whose client went away (no job run, its place freed); one already running runs to its end', async () => {
    const q = new HashQueue({ ...LIMITS, concurrent: 1 });
    const events: HashQueueEvent[] = [];
    q.observe((e) => events.push(e));
    const ran: string[] = [];
    const finish: Array<() => void> = [];
    const job = (name: string) => (): Promise<string> => {
      ran.push(name);
      return new Promise<string>((resolve) => finish.push(() => resolve(name)));
    };
    const [a, b, c] = [new AbortController(), new AbortController(), new AbortController()];
    const running = q.forSignIn('10.0.0.9', job('running'), a.signal);
    const waiting = q.forSignIn('10.0.0.9', job('waiting'), b.signal);
    const third = q.forSignIn('10.0.0.9', job('third'), c.signal);
    expect(await refusal(q.forSignIn('10.0.0.9', job('fourth')))).toBe('SONO_ACCESS_SIGN_IN_BUSY address'); // its 3 places taken
    a.abort(); // running already: not dropped
    b.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'SONO_ACCESS_SIGN_IN_BUSY', details: { scope: 'gone' } });
    expect(q.load()).toMatchObject({ held: 2, dropped: 1 });
    const fifth = q.forSignIn('10.0.0.9', job('fifth')); // the freed place is taken again
    finish.shift()!();
    expect(await running).toBe('running');
    c.abort(); // 'third' started when 'running' ended: it runs on
    await Promise.resolve();
    finish.shift()!();
    expect(await third).toBe('third');
    finish.shift()!();
    expect(await fifth).toBe('fifth');
    expect(ran).toEqual(['running', 'third', 'fifth']);
    expect(events.filter((e) => e.kind === 'dropped')).toEqual([{ kind: 'dropped', client: '10.0.0.9' }]);
    expect(q.load()).toMatchObject({ held: 0, running: 0, done: 3, dropped: 1 });
    const late = new AbortController();
    late.abort();
    await expect(q.forSignIn('10.0.0.9', job('never'), late.signal)).rejects.toMatchObject({ details: { scope: 'gone' } }); // gone before it came
    expect(ran).not.toContain('never');
  });
});
