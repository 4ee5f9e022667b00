/**
 * Child-process side of SyncService: its own connection to the records database, the outbox reader and the
 * STOW-RS loops, at the lowest CPU priority (nice 19). Reading and decrypting payloads, building request
 * bodies and TLS cost ~50–100 ms of CPU per batch of 640×480 images; as a worker thread that work still
 * competed with inference as an equal on 2 cores (live p99 128–165 ms vs ~45 ms without a backlog). A niced
 * process yields the cores to the live pipeline at once and uses what is left over.
 * Closed exams are built into DICOM here too (src/sync/build-loop.ts), not on the daemon's event loop.
 * The database key and the device secret arrive over the IPC channel, never on the command line or in the environment.
 */
import { setPriority } from 'node:os';
import { OcrGateLoop, type OcrSettings } from '../ocr/check-loop.js';
import { openDatabase } from '../records/database.js';
import { ExamBuildLoop } from './build-loop.js';
import { Outbox } from './outbox.js';
import type { StowTarget } from './stow-client.js';
import { type SyncSettings, SyncWorker } from './sync-worker.js';

export interface SyncStartMessage {
  type: 'start';
  dbFile: string;
  key: string;
  targets: StowTarget[];
  settings: SyncSettings & { ocr?: OcrSettings };
  nice: number;
  /** the device secret the exam builds key their UIDs and aliases with; none: closed exams are not built here */
  exportSecret?: string | undefined;
}

const send = (m: object): void => {
  if (process.connected) process.send!(m);
};

function start(m: SyncStartMessage): void {
  try {
    setPriority(m.nice);
  } catch (err) {
    send({ type: 'log', level: 'warn', o: { err: (err as Error).message }, m: 'could not lower the sync process priority' });
  }
  const db = openDatabase(m.dbFile, m.key);
  const log = {
    warn: (o: object, msg?: string) => send({ type: 'log', level: 'warn', o, m: msg }),
    info: (o: object, msg?: string) => send({ type: 'log', level: 'info', o, m: msg }),
  };
  const worker = new SyncWorker(new Outbox(db), m.targets, m.settings, log, (status) => send({ type: 'status', status }));
  // the OCR gate reads outgoing images here, at this process's priority, and lets the senders know when one passed
  // a failed OCR run is tried again at the delivery retry's first interval, a few times, before the image is held
  const ocr = new OcrGateLoop(db, { minChars: 3, minConfidence: 80, timeoutMs: 15000, ...m.settings.ocr, pollMs: m.settings.pollMs, retryMs: m.settings.retryInitialMs }, () => worker.poke(), log);
  // closed exams' DICOM, built at this process's priority; each built exam wakes the OCR gate and the senders
  const build =
    m.exportSecret === undefined
      ? undefined
      : new ExamBuildLoop(
          db,
          m.exportSecret,
          m.settings,
          () => {
            ocr.poke();
            worker.poke();
          },
          log,
          // no build while tesseract runs (it would eat the run's deadline); the daemon told a build is on its
          // way before it blocks this loop, so a stop waits for it rather than killing it (sync-service.ts)
          async () => {
            await ocr.idle();
            await new Promise<void>((resolve) => (process.connected ? process.send!({ type: 'building', on: true }, () => resolve()) : resolve()));
          },
          () => send({ type: 'building', on: false }),
        );
  worker.start();
  ocr.start();
  build?.start();
  send({ type: 'status', status: worker.status() });
  const stop = (): void => {
    void Promise.all([worker.stop(), ocr.stop(), build?.stop()]).then(() => {
      db.close();
      send({ type: 'stopped' });
      process.exit(0);
    });
  };
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'poke') {
      worker.poke();
      ocr.poke();
      build?.poke();
    } else if (msg.type === 'stop') stop();
  });
  // The daemon died (even by SIGKILL): the queue is in the database, the next daemon resumes it.
  process.on('disconnect', stop);
}

process.once('message', (m: SyncStartMessage) => start(m));
