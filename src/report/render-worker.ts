/**
 * Lays a report out on a worker thread (src/report/render-in-worker.ts): pdfkit and fontkit work
 * synchronously, seconds on a long exam, and the event loop must keep serving frames and health meanwhile.
 * Posts { ok: true, pdf } or { ok: false, message }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { ReportText } from './i18n.js';
import { renderReportPdf } from './render-pdf.js';
import { reportModel } from './report-model.js';
import type { RenderJob } from './render-in-worker.js';

const job = workerData as RenderJob;
try {
  const model = reportModel(job.exam, job.growth, new ReportText(job.lang, job.timeZone), job.printedAt);
  const pdf = await renderReportPdf(
    model,
    job.thumbnails.map((t) => ({ caption: t.caption, png: Buffer.from(t.png.buffer, t.png.byteOffset, t.png.byteLength) })),
    job.moreImages,
  );
  parentPort!.postMessage({ ok: true, pdf: new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength) });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: errorMessage(err) });
}
