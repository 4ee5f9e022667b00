import { intergrowthHcCentile } from '../analysis/biometry.js';
import { assessGrowth } from '../analysis/growth.js';
import { ErrorCodes, SonoError } from '../errors.js';
import type { ExamStore } from '../records/exam-store.js';
import { localDate } from '../records/patient-records.js';
import { type ReportLang, ReportText } from './i18n.js';
import { renderReportPdf, type Thumbnail } from './render-pdf.js';
import { type ReportGrowth, reportModel } from './report-model.js';
import { thumbnailPng } from './thumbnail.js';

export interface ReportOptions {
  lang: ReportLang;
  /** When it is printed (ISO); default now. */
  printedAt?: string;
  /** IANA time zone of the dates; default the device's. */
  timeZone?: string;
}

/**
 * The printable one-page report of an exam, as PDF bytes: patient, exam, each capture's AI and final
 * values with who decided, GA, growth flags, the images of the reviewed captures. An exam that does not
 * exist throws the store's EXAM_NOT_FOUND.
 */
export async function buildExamReport(store: ExamStore, examId: string, opts: ReportOptions): Promise<Buffer> {
  const exam = store.getExam(examId);
  const t = new ReportText(opts.lang, opts.timeZone);
  let growth: ReportGrowth | undefined;
  if (exam.examType === 'obstetric') {
    // each visit on the clinic's calendar day (the store's dates are UTC's), as the growth chart dates it
    const visits = store.hcVisits(examId).map((v) => ({ ...v, date: localDate(store.getExam(v.examId).createdAt, opts.timeZone) }));
    const own = visits.find((v) => v.examId === examId);
    const c = own && intergrowthHcCentile(own.hcMm, own.gaWeeks);
    growth = { hcCentile: c?.available ? { z: c.z, centile: c.centile } : undefined, flags: assessGrowth(visits).flags };
  }
  const model = reportModel(exam, growth, t, opts.printedAt ?? new Date().toISOString());
  try {
    const thumbnails: Thumbnail[] = [];
    for (const c of model.captures) {
      if (c.reviewed) thumbnails.push({ caption: c.heading.split(' · ')[0]!, png: await thumbnailPng(store.capturePixels(c.id)) });
    }
    return await renderReportPdf(model, thumbnails);
  } catch (err) {
    throw new SonoError(
      ErrorCodes.REPORT_FAILED,
      `The report of exam ${examId} could not be made (${err instanceof Error ? err.message : String(err)}); the exam itself is unchanged. Try again, and report it if it persists`,
      { cause: err },
    );
  }
}
