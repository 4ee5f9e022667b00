import type { Exam } from '../records/types.js';
import { startWorker } from '../util/worker.js';
import type { ReportLang } from './i18n.js';
import type { ReportGrowth } from './report-model.js';

/** What the render worker needs: plain data only (the model, with its formatting functions, is built there). */
export interface RenderJob {
  exam: Exam;
  growth: ReportGrowth | undefined;
  lang: ReportLang;
  timeZone: string | undefined;
  printedAt: string;
  thumbnails: Array<{ caption: string; png: Uint8Array }>;
  moreImages: number;
}

/** Reports are laid out one at a time: a burst of prints runs one worker after another (each loads pdfkit and the fonts), never one per request at once on the 2 cores. */
let queue: Promise<unknown> = Promise.resolve();

/** The report's PDF, laid out on a worker thread (src/report/render-worker.ts): the caller's event loop stays free. */
export function renderReportInWorker(job: RenderJob): Promise<Buffer> {
  const run = queue.then(() => renderOnce(job));
  queue = run.catch(() => undefined);
  return run;
}

function renderOnce(job: RenderJob): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(import.meta.url, 'render-worker', job as unknown as Record<string, unknown>);
    let settled = false;
    worker.once('message', (m: { ok: true; pdf: Uint8Array } | { ok: false; message: string }) => {
      settled = true;
      if (m.ok) resolve(Buffer.from(m.pdf.buffer, m.pdf.byteOffset, m.pdf.byteLength));
      else reject(new Error(m.message));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the report worker stopped (exit ${code}) before it finished`));
    });
  });
}
