/**
 * The queue in front of scrypt (src/access/secrets.ts): at most `concurrent` hashes run at once (each holds
 * 128 MiB), and the ones waiting are bounded and served by lane in turn (round-robin, one hash each).
 *
 * Why: a hash costs ~0.45 s on the board and an unknown name costs one too (so timing does not tell which names
 * exist). Without a bound one device on the clinic Wi-Fi could queue sign-ins without end: every clinician's
 * sign-in waited behind them (7.7 s behind 20) and the queue grew in memory.
 *
 * Lanes, each explicit (none is inferred from a missing address):
 * - a sign-in's lane is its network address ('unknown' when it has none: bounded like any other);
 *   an address holds at most `perClient` places (running or waiting); one more is refused at once. Tablets
 *   behind one router share one address, and so these places;
 * - the sign-ins of the network hold at most `total` places: once reached, an address that already holds one
 *   is refused, an address holding none still gets one (a tablet with nothing waiting is not refused for the
 *   others' backlog), up to `hardCap` places, over which every network sign-in is refused;
 * - the device's own screen (127.0.0.1, ::1) counts against neither `total` nor `hardCap`, only `perClient`:
 *   addresses on the network keeping the queue full never lock out the box's own touchscreen;
 * - account management (an administrator creating an account or setting a secret, the first administrator)
 *   has one lane of its own, asked for by name (forAccount), served in turn and never refused.
 * A refusal is a SonoError SONO_ACCESS_SIGN_IN_BUSY with `retryAfterS` in its details: the time the current
 * backlog takes to clear at the measured hash time.
 *
 * A sign-in may bring an AbortSignal (its client's connection closing): aborted while it waits, it leaves the
 * queue at once, unhashed (a 'dropped' event; SONO_ACCESS_SIGN_IN_BUSY with scope 'gone'), and frees its place.
 * A hash costs ~0.45 s of a core on the 2-core board and its answer could reach nobody. One already running is
 * left to finish (scrypt cannot be stopped midway).
 */
import { ErrorCodes, SonoError } from '../errors.js';

export interface HashQueueLimits {
  /** hashes running at once */
  concurrent: number;
  /** places (running or waiting) one network address may hold */
  perClient: number;
  /** places held by network sign-ins over which only addresses holding none get one */
  total: number;
  /** places held by network sign-ins over which every one is refused */
  hardCap: number;
}

/**
 * perClient 3: clinic tablets often share one address (NAT); three can sign in at once, and a fourth waits
 * about one hash. A flooding address gains at most one hash a round of the ring, whatever its share.
 */
export const HASH_QUEUE_LIMITS: HashQueueLimits = { concurrent: 2, perClient: 3, total: 16, hardCap: 32 };

/** The device's own screen: the kiosk browser on the box reaches the daemon over these addresses. */
export function isDeviceScreen(client: string): boolean {
  return client === '127.0.0.1' || client === '::1' || client === '::ffff:127.0.0.1';
}

/** What the queue holds now and the most it ever held (tests, diagnostics). */
export interface HashQueueLoad {
  running: number;
  /** places held (running or waiting), in all */
  held: number;
  /** the most places held at once, in all and by one network address */
  peak: number;
  peakPerClient: number;
  /** hashes finished since start */
  done: number;
  refused: number;
  /** sign-ins that left the queue unhashed because their client went away while they waited */
  dropped: number;
}

/** What happens to one hash, in order (tests: who started while whom waited). `client` null: account lane. */
export interface HashQueueEvent {
  kind: 'queued' | 'started' | 'refused' | 'dropped';
  client: string | null;
}

const ACCOUNT_LANE = 'account';
const laneOf = (client: string): string => `address ${client}`;

export class HashQueue {
  readonly #limits: HashQueueLimits;
  /** waiting starts by lane, in ring order: the lane served goes to the back while it has more waiting */
  readonly #ring = new Map<string, Array<() => void>>();
  /** places held by lane, running or waiting */
  readonly #held = new Map<string, number>();
  readonly #listeners = new Set<(e: HashQueueEvent) => void>();
  #heldTotal = 0;
  /** places held by network sign-ins (not the device's screen, not account management) */
  #heldNetwork = 0;
  #running = 0;
  #peak = 0;
  #peakPerClient = 0;
  #done = 0;
  #refused = 0;
  #dropped = 0;
  /** a moving average of one hash's time, for Retry-After */
  #hashMs = 500;

  constructor(limits: HashQueueLimits = HASH_QUEUE_LIMITS) {
    this.#limits = limits;
  }

  /**
   * A sign-in's hash from `client`: runs when its turn comes; rejects at once with SONO_ACCESS_SIGN_IN_BUSY when
   * over a bound. `gone`: aborted when nobody waits for the answer any more (its connection closed): not hashed.
   */
  forSignIn<T>(client: string, job: () => Promise<T>, gone?: AbortSignal): Promise<T> {
    const address = typeof client === 'string' && client !== '' ? client : 'unknown';
    if (gone?.aborted) return Promise.reject(this.#drop(address));
    const lane = laneOf(address);
    const held = this.#held.get(lane) ?? 0;
    const refusal = this.#refusal(address, held);
    if (refusal) {
      this.#refused++;
      this.#tell({ kind: 'refused', client: address });
      return Promise.reject(refusal);
    }
    const network = !isDeviceScreen(address);
    if (network) this.#heldNetwork++;
    this.#peakPerClient = Math.max(this.#peakPerClient, held + 1);
    return this.#enqueue(lane, address, network, job, gone);
  }

  /** Account management's hash (creating an account, setting a secret): its own lane, in turn, never refused. */
  forAccount<T>(job: () => Promise<T>): Promise<T> {
    return this.#enqueue(ACCOUNT_LANE, null, false, job);
  }

  load(): HashQueueLoad {
    return {
      running: this.#running,
      held: this.#heldTotal,
      peak: this.#peak,
      peakPerClient: this.#peakPerClient,
      done: this.#done,
      refused: this.#refused,
      dropped: this.#dropped,
    };
  }

  /** Calls `listener` with every event from now on; returns the function that stops it. */
  observe(listener: (e: HashQueueEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #tell(e: HashQueueEvent): void {
    for (const l of this.#listeners) l(e);
  }

  /** Counts and tells a sign-in that leaves unhashed, its client gone; the error it rejects with. */
  #drop(client: string): SonoError {
    this.#dropped++;
    this.#tell({ kind: 'dropped', client });
    return new SonoError(ErrorCodes.ACCESS_SIGN_IN_BUSY, 'The connection closed before the sign-in was checked; sign in again.', { details: { client, scope: 'gone' } });
  }

  #enqueue<T>(lane: string, client: string | null, network: boolean, job: () => Promise<T>, gone?: AbortSignal): Promise<T> {
    this.#held.set(lane, (this.#held.get(lane) ?? 0) + 1);
    this.#heldTotal++;
    this.#peak = Math.max(this.#peak, this.#heldTotal);
    this.#tell({ kind: 'queued', client });
    return new Promise<T>((resolve, reject) => {
      const waiting = this.#ring.get(lane);
      // the client went away while this waited: out of the ring, its place freed, no hash
      const leave = (): void => {
        const queue = this.#ring.get(lane);
        const at = queue ? queue.indexOf(start) : -1;
        if (at < 0) return; // already started: it runs to its end
        queue!.splice(at, 1);
        if (queue!.length === 0) this.#ring.delete(lane);
        this.#release(lane, network);
        reject(this.#drop(client ?? ACCOUNT_LANE));
      };
      const start = (): void => {
        gone?.removeEventListener('abort', leave);
        this.#tell({ kind: 'started', client });
        void this.#start(lane, network, job).then(resolve, reject);
      };
      if (waiting) waiting.push(start);
      else this.#ring.set(lane, [start]);
      gone?.addEventListener('abort', leave, { once: true });
      this.#next();
    });
  }

  /** Gives back a place `lane` held (running or waiting). */
  #release(lane: string, network: boolean): void {
    this.#heldTotal--;
    if (network) this.#heldNetwork--;
    const held = (this.#held.get(lane) ?? 1) - 1;
    if (held > 0) this.#held.set(lane, held);
    else this.#held.delete(lane);
  }

  #refusal(client: string, held: number): SonoError | undefined {
    const { perClient, total, hardCap, concurrent } = this.#limits;
    const retryAfterS = Math.max(1, Math.ceil((Math.ceil(this.#heldTotal / concurrent) * this.#hashMs) / 1000));
    const details = { client, retryAfterS, perClient, total, hardCap };
    if (held >= perClient)
      return new SonoError(
        ErrorCodes.ACCESS_SIGN_IN_BUSY,
        `This network address (${client}) already has ${held} sign-ins being checked (devices behind one router share it); wait for their answer, then try again in ${retryAfterS} s.`,
        { details: { ...details, scope: 'address' } },
      );
    if (isDeviceScreen(client)) return undefined;
    if (this.#heldNetwork >= hardCap || (this.#heldNetwork >= total && held > 0))
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

  async #start<T>(lane: string, network: boolean, job: () => Promise<T>): Promise<T> {
    const began = performance.now();
    try {
      return await job();
    } finally {
      this.#hashMs = 0.8 * this.#hashMs + 0.2 * (performance.now() - began);
      this.#running--;
      this.#done++;
      this.#release(lane, network);
      this.#next();
    }
  }
}
