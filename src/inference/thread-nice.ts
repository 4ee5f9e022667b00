import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * The niceness of a display-only model's worker (the enhancer): far enough below the diagnostic model and
 * the JS thread that they win a short core (CFS weight 110 against 1024), never so far that it starves.
 */
export const DISPLAY_MODEL_NICENESS = 10;

/**
 * Lowers the scheduling priority of the calling thread alone (Linux: a thread's id is a valid target of
 * setpriority). A model session with one intra-op thread runs on its worker's own thread, so this places a
 * model below the others when cores are short: the display-only enhancer yields to the diagnostic model and
 * to the JS thread, and still gets every idle cycle. Returns false where it cannot (no /proc/thread-self,
 * not Linux): the model then runs at the process's priority, as before.
 */
export function niceThisThread(niceness: number): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, niceness);
    return true;
  } catch {
    return false;
  }
}
