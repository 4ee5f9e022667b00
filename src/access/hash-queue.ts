/**
 * The queue in front of scrypt (src/access/secrets.ts): at most `concurrent` hashes run at once (each holds
 * 128 MiB), and the ones waiting are bounded and served by client address in turn.
 *
 * Why: a hash costs ~0.45 s on the board and an unknown name costs one too (so timing does not tell which names
 * exist). Without a bound one device on the clinic Wi-Fi could queue sign-ins without end: every clinician's
 * sign-in waited behind them (7.7 s behind 20) and the queue grew in memory. Now:
 * - an address holds at most `perClient` places (running or waiting); one more is refused at once;
 * - the queue holds at most `total` places; one more is refused at once;
 * - waiting addresses are served in turn (round-robin), one hash each, so a second tablet's sign-in starts
 *   after at most one hash per address ahead of it in the ring, however many the first one sent.
 * A refusal is a SonoError SONO_ACCESS_SIGN_IN_BUSY with `retryAfterS` in its details: the time the current
 * backlog takes to clear at the measured hash time. Hashes with no address (an admin creating an account or
 * setting a secret, the first administrator) share one lane of their own, served in turn, and are never refused.
 */
import { ErrorCodes, SonoError } from '../errors.js';

export interface HashQueueLimits {
  /** hashes running at once */
  concurrent: number;
  /** places (running or waiting) one client address may hold */
  perClient: number;
  /** places (running or waiting) in all */
  total: number;
}

export const HASH_QUEUE_LIMITS: HashQueueLimits = { concurrent: 2, perClient: 2, total: 16 };

/** What the queue holds now and the most it ever held (tests, diagnostics). */
export interface HashQueueLoad {
  running: number;
  /** places held (running or waiting), in all */
  held: number;
  /** the most places held at once, in all and by one client address */
  peak: number;
  peakPerClient: number;
  /** hashes finished since start */
  done: number;
  refused: number;
}

/** The lane of hashes that come with no client address (account management): never refused. */
const DEVICE_LANE = '\u0000device';

export class HashQueue {
  readonly #limits: HashQueueLimits;
  /** waiting starts by lane, in ring order: the lane served goes to the back while it has more waiting */
  readonly #ring = new Map<string, Array<() => void>>();
  /** places held by lane, running or waiting */
  readonly #held = new Map<string, number>();
  #heldTotal = 0;
  #running = 0;
  #peak = 0;
  #peakPerClient = 0;
  #done = 0;
  #refused = 0;
  /** a moving average of one hash's time, for Retry-After */
  #hashMs = 500;

  constructor(limits: HashQueueLimits = HASH_QUEUE_LIMITS) {
    this.#limits = limits;
  }

  /** Runs `job` when its turn comes; rejects at once with SONO_ACCESS_SIGN_IN_BUSY when `client` is over a bound. */
  run<T>(client: string | undefined, job: () => Promise<T>): Promise<T> {
    const lane = client ?? DEVICE_LANE;
    const held = this.#held.get(lane) ?? 0;
    if (client !== undefined) {
      const refusal = this.#refusal(client, held);
      if (refusal) {
        this.#refused++;
        return Promise.reject(refusal);
      }
    }
    this.#held.set(lane, held + 1);
    this.#heldTotal++;
    this.#peak = Math.max(this.#peak, this.#heldTotal);
    if (client !== undefined) this.#peakPerClient = Math.max(this.#peakPerClient, held + 1);
    return new Promise<T>((resolve, reject) => {
      const waiting = this.#ring.get(lane);
      const start = (): void => void this.#start(lane, job).then(resolve, reject);
      if (waiting) waiting.push(start);
      else this.#ring.set(lane, [start]);
      this.#next();
    });
  }

  load(): HashQueueLoad {
    return { running: this.#running, held: this.#heldTotal, peak: this.#peak, peakPerClient: this.#peakPerClient, done: this.#done, refused: this.#refused };
  }

  #refusal(client: string, held: number): SonoError | undefined {
    const { perClient, total, concurrent } = this.#limits;
    const retryAfterS = Math.max(1, Math.ceil((Math.ceil(this.#heldTotal / concurrent) * this.#hashMs) / 1000));
    const details = { client, retryAfterS, perClient, total };
    if (held >= perClient)
      return new SonoError(ErrorCodes.ACCESS_SIGN_IN_BUSY, `This device (address ${client}) already has ${held} sign-ins being checked; wait for their answer, then try again in ${retryAfterS} s.`, {
        details: { ...details, scope: 'address' },
      });
    if (this.#heldTotal >= total)
      return new SonoError(
        ErrorCodes.ACCESS_SIGN_IN_BUSY,
        `The ultrasound box is busy checking ${this.#heldTotal} other sign-ins; try again in ${retryAfterS} s. If this keeps happening, tell the administrator: a device on the network may be sending sign-ins without end.`,
        { details: { ...details, scope: 'device' } },
      );
    return undefined;
  }

  /** Starts the next waiting hash of each lane in turn while a place to run is free. */
  #next(): void {
    while (this.#running < this.#limits.concurrent) {
      const first = this.#ring.entries().next();
      if (first.done) return;
      const [lane, waiting] = first.value;
      const start = waiting.shift()!;
      this.#ring.delete(lane);
      if (waiting.length > 0) this.#ring.set(lane, waiting);
      this.#running++;
      start();
    }
  }

  async #start<T>(lane: string, job: () => Promise<T>): Promise<T> {
    const began = performance.now();
    try {
      return await job();
    } finally {
      this.#hashMs = 0.8 * this.#hashMs + 0.2 * (performance.now() - began);
      this.#running--;
      this.#done++;
      this.#heldTotal--;
      const held = (this.#held.get(lane) ?? 1) - 1;
      if (held > 0) this.#held.set(lane, held);
      else this.#held.delete(lane);
      this.#next();
    }
  }
}
