import { intergrowthHcCentile } from '../analysis/biometry.js';
import { assessGrowth } from '../analysis/growth.js';
import { ErrorCodes, SonoError } from '../errors.js';
import type { ExamStore } from '../records/exam-store.js';
import { localDate } from '../records/patient-records.js';
import { type ReportLang, ReportText } from './i18n.js';
import { renderReportInWorker } from './render-in-worker.js';
import type { Thumbnail } from './render-pdf.js';
import { type ReportGrowth, reportModel } from './report-model.js';
import { thumbnailPng } from './thumbnail.js';

export interface ReportOptions {
  lang: ReportLang;
  /** When it is printed (ISO); default now. */
  printedAt?: string;
  /** IANA time zone of the dates; default the device's. */
  timeZone?: string;
}

/** The most capture images one report shows; the rest are counted in a line ("+N more images in the exam record"). */
export const MAX_REPORT_IMAGES = 24;

/**
 * The printable report of an exam, as PDF bytes: patient, exam, each capture's AI and final values with
 * who decided, GA, growth flags, the images of the reviewed captures (the first MAX_REPORT_IMAGES). The
 * record is read here; the PDF is laid out on a worker thread (src/report/render-in-worker.ts), so a long
 * exam does not stop the daemon (an 80-capture report held the event loop for 9 s). An exam that does not
 * exist throws the store's EXAM_NOT_FOUND.
 */
export async function buildExamReport(store: ExamStore, examId: string, opts: ReportOptions): Promise<Buffer> {
  const exam = store.getExam(examId);
  let growth: ReportGrowth | undefined;
  if (exam.examType === 'obstetric') {
    // each visit on the clinic's calendar day (the store's dates are UTC's), as the growth chart dates it;
    // the visits' creation times in one query, not an exam (and its captures) read again per visit
    const created = new Map((exam.patient?.id ? store.listExams({ patientId: exam.patient.id }) : [exam]).map((e) => [e.id, e.createdAt]));
    const visits = store.hcVisits(examId).map((v) => ({ ...v, date: localDate(created.get(v.examId) ?? exam.createdAt, opts.timeZone) }));
    const own = visits.find((v) => v.examId === examId);
    const c = own && intergrowthHcCentile(own.hcMm, own.gaWeeks);
    growth = { hcCentile: c?.available ? { z: c.z, centile: c.centile } : undefined, flags: assessGrowth(visits).flags };
  }
  const t = new ReportText(opts.lang, opts.timeZone);
  const printedAt = opts.printedAt ?? new Date().toISOString();
  try {
    // which captures show their image: the same rule (and captions) as the model the worker lays out
    const reviewed = reportModel(exam, growth, t, printedAt).captures.filter((c) => c.reviewed);
    const thumbnails: Thumbnail[] = [];
    for (const c of reviewed.slice(0, MAX_REPORT_IMAGES)) thumbnails.push({ caption: c.heading.split(' · ')[0]!, png: await thumbnailPng(store.capturePixels(c.id)) });
    return await renderReportInWorker({ exam, growth, lang: opts.lang, timeZone: opts.timeZone, printedAt, thumbnails, moreImages: reviewed.length - thumbnails.length });
  } catch (err) {
    throw new SonoError(
      ErrorCodes.REPORT_FAILED,
      `The report of exam ${examId} could not be made (${err instanceof Error ? err.message : String(err)}); the exam itself is unchanged. Try again, and report it if it persists`,
      { cause: err },
    );
  }
}
