/**
 * The QA / retraining export (issue 21): the closed exams in a date range and of an exam type → a folder
 * of de-identified frames, masks of the AI's and the clinicians' final outlines, and one manifest
 * (layout.ts). Gated like the PACS path: a frame whose imaging region nobody set is withheld, and every
 * cleaned frame is read by the OCR (src/ocr) before it is written; one with text is withheld. Runs off the
 * live path (the CLI), one tesseract at a time.
 */
import { mkdirSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import { type OcrSettings } from '../ocr/check-loop.js';
import { burnedText } from '../ocr/burned-text.js';
import { readWords } from '../ocr/tesseract.js';
import type { Db } from '../records/database.js';
import { ExamStore } from '../records/exam-store.js';
import { SecondReadStore } from '../records/second-read.js';
import type { ExamType } from '../records/types.js';
import { manifestCsv } from './csv.js';
import { type Keys, prepareItem, regionUnknown, withheldEntry } from './item.js';
import type { QaItem, QaManifest, QaWithheld } from './layout.js';
import { README_TEXT } from './readme.js';

export interface QaExportOptions extends Keys {
  outDir: string;
  /** YYYY-MM-DD, inclusive, on the exam's own (unshifted) date */
  from?: string | undefined;
  to?: string | undefined;
  examType?: ExamType | undefined;
  ocr: OcrSettings;
  software: string;
}

export interface QaExportSummary {
  outDir: string;
  exams: number;
  items: number;
  withheld: QaWithheld[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function checkDay(v: string | undefined, flag: string): void {
  if (v !== undefined && !(DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)))) {
    throw new SonoError(ErrorCodes.QA_EXPORT_INVALID, `${flag} ${v} is not a date; write it as YYYY-MM-DD`, { details: { [flag]: v } });
  }
}

/** The closed exams in range, oldest first (an open exam is still being decided). */
export function examsInRange(db: Db, o: Pick<QaExportOptions, 'from' | 'to' | 'examType'>): string[] {
  const from = o.from ? `${o.from}T00:00:00.000Z` : '';
  const to = o.to ? new Date(Date.parse(`${o.to}T00:00:00Z`) + 86_400_000).toISOString() : '9999';
  const rows = db
    .prepare('SELECT id FROM exams WHERE closed_at IS NOT NULL AND created_at >= ? AND created_at < ? AND (? IS NULL OR exam_type = ?) ORDER BY created_at, id')
    .all(from, to, o.examType ?? null, o.examType ?? null) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

async function png(path: string, px: Uint8Array, width: number, height: number): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  // an 8-bit one-channel PNG (sharp would otherwise widen it to RGB)
  await sharp(Buffer.from(px.buffer, px.byteOffset, width * height), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(path);
}

/** Reads the cleaned frame; the reason to withhold it, or undefined when no text was found. */
async function ocrVerdict(image: Uint8Array, width: number, height: number, s: OcrSettings): Promise<{ code: string; message: string } | undefined> {
  try {
    const words = await readWords(image, width, height, { timeoutMs: s.timeoutMs, ...(s.bin ? { bin: s.bin } : {}) });
    const found = burnedText(words, s);
    // the words themselves may be a name: only their count leaves
    return found && { code: ErrorCodes.BURNED_IN_TEXT, message: `The OCR read ${found.boxes.length} word(s) inside the cleaned image; it is kept on the device` };
  } catch (err) {
    return { code: ErrorCodes.OCR_FAILED, message: `The image could not be checked for burned-in text (${errorMessage(err).slice(0, 200)}); it is kept on the device` };
  }
}

export async function exportQa(db: Db, o: QaExportOptions): Promise<QaExportSummary> {
  checkDay(o.from, '--from');
  checkDay(o.to, '--to');
  if (o.from && o.to && o.from > o.to) throw new SonoError(ErrorCodes.QA_EXPORT_INVALID, `--from ${o.from} is after --to ${o.to}; give the earlier date first`);
  if (existsSync(o.outDir) && readdirSync(o.outDir).length > 0) {
    throw new SonoError(ErrorCodes.QA_EXPORT_INVALID, `The export folder ${o.outDir} is not empty; name a new or empty folder (an export never mixes with another)`, { details: { outDir: o.outDir } });
  }
  mkdirSync(o.outDir, { recursive: true });
  const store = new ExamStore(db);
  const reads = new SecondReadStore(db);
  const ids = examsInRange(db, o);
  const items: QaItem[] = [];
  const withheld: QaWithheld[] = [];
  for (const id of ids) {
    const exam = store.getExam(id);
    const readings = reads.readings(id);
    for (const capture of exam.captures) {
      const px = store.capturePixels(capture.id);
      if (regionUnknown(px)) {
        withheld.push(withheldEntry(exam, capture, o, ErrorCodes.REGION_NOT_SET, 'The source had no imaging region set, so text burned around the image could not be cut off'));
        continue;
      }
      const prepared = prepareItem(exam, capture, px, readings, o);
      const hold = await ocrVerdict(prepared.image, px.width, px.height, o.ocr);
      if (hold) {
        withheld.push(withheldEntry(exam, capture, o, hold.code, hold.message));
        continue;
      }
      const { entry } = prepared;
      await png(join(o.outDir, entry.files.image), prepared.image, px.width, px.height);
      if (prepared.maskAi && entry.files.maskAi) await png(join(o.outDir, entry.files.maskAi), prepared.maskAi, px.width, px.height);
      if (prepared.maskFinal && entry.files.maskFinal) await png(join(o.outDir, entry.files.maskFinal), prepared.maskFinal, px.width, px.height);
      items.push(entry);
    }
  }
  const manifest: QaManifest = {
    format: 'sonoedge-qa-export',
    version: 1,
    exportedAt: new Date().toISOString(),
    software: o.software,
    filters: { from: o.from ?? null, to: o.to ?? null, examType: o.examType ?? null },
    deidentification: { patient: 'keyed pseudonym', dates: o.dates, pixels: 'outside the imaging region zeroed, OCR-checked' },
    counts: { exams: ids.length, items: items.length, withheld: withheld.length },
    items,
  };
  writeFileSync(join(o.outDir, 'manifest.csv'), manifestCsv(items));
  writeFileSync(join(o.outDir, 'withheld.json'), JSON.stringify(withheld, null, 2) + '\n');
  writeFileSync(join(o.outDir, 'README.txt'), README_TEXT);
  // the manifest last: a folder with one is a finished export
  writeFileSync(join(o.outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { outDir: o.outDir, exams: ids.length, items: items.length, withheld };
}
