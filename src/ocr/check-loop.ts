/**
 * Reads every outgoing image queued for the OCR gate, one at a time, in the sync process (nice 19, off the
 * live path): no text found → it goes (the outbox sends it); text found → it is held with the words and
 * their boxes for a technician. An image that cannot be read (no tesseract, a timeout) is read again on
 * later passes (`retryMs` apart, `attempts` runs in all), then held with SONO_OCR_FAILED: what was not
 * checked does not leave.
 */
import { errorMessage } from '../errors.js';
import type { Db } from '../records/database.js';
import { type BurnedTextRules, burnedText } from './burned-text.js';
import { GateStore } from './gate-store.js';
import type { HoldReason } from './hold.js';
import { findIdentifiers } from './identifier-match.js';
import { type Identifier, type IdentifierKind, KIND_WORDS } from './identifiers.js';
import { type Box, imageOf } from './payload-pixels.js';
import { maskBoxes, readPasses } from './passes.js';

export interface OcrSettings extends BurnedTextRules {
  timeoutMs: number;
  /** The tesseract binary (default: on PATH). */
  bin?: string | undefined;
}

/** How often a failed OCR run is tried before the image is held, and how long after a failure the next try comes. */
export interface OcrRetry {
  attempts: number;
  retryMs: number;
}

export const DEFAULT_OCR_RETRY: OcrRetry = { attempts: 3, retryMs: 2000 };

/**
 * Reads one payload; the hold reason, or undefined when no text was found. `ids`: the exam's identifiers
 * (identifiers.ts), looked for in every word of every pass whatever its confidence; any other text holds the
 * image when the gray pass reads it at the rules' confidence, as before.
 */
export async function checkPayload(payload: Buffer, s: OcrSettings, signal?: AbortSignal, ids: readonly Identifier[] = []): Promise<HoldReason | undefined> {
  const img = imageOf(payload);
  // A multi-frame image (a cine clip) is read frame by frame, every frame: tesseract refuses pictures over
  // 32767 rows, and stacks were no cheaper (640×480 simulated frames: 306 ms alone, 250-457 ms a frame in
  // stacks of 4-16). Boxes are in the stacked frames' rows, as imageOf and the mask address them.
  const passes = await readPasses(img, { timeoutMs: s.timeoutMs, ...(s.bin ? { bin: s.bin } : {}), ...(signal ? { signal } : {}) });
  const found = burnedText(passes[0]!.words, s);
  const kinds = new Set<IdentifierKind>();
  const boxes: Box[] = [];
  for (const pass of passes) {
    const hit = findIdentifiers(pass.words, ids);
    if (!hit) continue;
    hit.kinds.forEach((k) => kinds.add(k));
    boxes.push(...maskBoxes(pass.name, hit.boxes.map(pass.toImage), img));
  }
  if (kinds.size > 0) {
    // the identifiers are not repeated here (the boxes show where)
    const what = [...kinds].map((k) => KIND_WORDS[k]).join(', ');
    return {
      code: 'SONO_BURNED_IN_TEXT',
      found: 'patient-data',
      identifiers: [...kinds],
      message: `This exam's ${what} was read inside the image that would be sent; mask it and release (or release it if the reading is wrong)`,
      // no `text`: what the gray pass read clearly holds the identifiers themselves (a name read whole), and the
      // reason is stored in the gate and shown on the sync page; the boxes show where, the kinds say what
      boxes: [...boxes, ...(found?.boxes ?? [])],
    };
  }
  return found && { code: 'SONO_BURNED_IN_TEXT', message: `Text was read inside the image that would be sent ("${found.text}"); check it, then release or mask and release`, ...found };
}

export class OcrGateLoop {
  readonly #gate: GateStore;
  #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #busy = false;
  #idle: Array<() => void> = [];

  constructor(
    db: Db,
    private readonly s: OcrSettings & { pollMs: number } & Partial<OcrRetry>,
    private readonly onChecked: () => void,
    private readonly log: { warn(o: object, m?: string): void } = { warn() {} },
  ) {
    this.#gate = new GateStore(db);
  }

  start(): void {
    this.#abort = new AbortController();
    this.#loop = this.#run(this.#abort.signal);
  }

  poke(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.poke();
    await this.#loop;
  }

  /**
   * Resolves when no tesseract run is in flight. A synchronous job on this event loop (an exam build) waits on
   * it: started during a run it would charge its own seconds to that run's deadline. The loop yields a turn
   * between images, so a job waiting here runs before the next image starts.
   */
  idle(): Promise<void> {
    return this.#busy ? new Promise((resolve) => this.#idle.push(resolve)) : Promise.resolve();
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const retryMs = this.s.retryMs ?? DEFAULT_OCR_RETRY.retryMs;
      const next = this.#gate.toCheck(1, new Date(Date.now() - retryMs).toISOString())[0];
      if (!next) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, this.s.pollMs);
          function done(): void {
            clearTimeout(t);
            resolve();
          }
          this.#wake = done;
        });
        continue;
      }
      // a turn for whoever waits on idle() (a build) before this image's run starts
      await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted) break;
      let hold: HoldReason | undefined;
      this.#busy = true;
      try {
        // the exam's identifiers, read from the records database for this check and kept in memory only
        hold = await checkPayload(next.payload, this.s, signal, this.#gate.identifiersOf(next.examId));
      } catch (err) {
        // stopped mid-run: the row stays `checking` and the next sync process reads it again
        if (signal.aborted) break;
        const failure: HoldReason = { code: 'SONO_OCR_FAILED', message: `The image could not be checked for burned-in text: ${errorMessage(err)}` };
        const became = this.#gate.failed(next.sopInstanceUid, failure, this.s.attempts ?? DEFAULT_OCR_RETRY.attempts);
        this.log.warn(
          { err: errorMessage(err), sopInstanceUid: next.sopInstanceUid },
          became === 'held' ? 'OCR gate could not read an outgoing image; held' : 'OCR gate could not read an outgoing image; trying again later',
        );
        continue;
      } finally {
        this.#busy = false;
        this.#idle.splice(0).forEach((resolve) => resolve());
      }
      this.#gate.checked(next.sopInstanceUid, hold);
      if (!hold) this.onChecked();
    }
  }
}
