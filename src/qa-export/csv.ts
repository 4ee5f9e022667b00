/**
 * manifest.csv: one row per measurement, the AI's value beside each clinician's, then one row per clinician
 * caliper (kind `caliper-distance` / `caliper-area`: its value and keyed reader in final_value / final_by, its
 * number and points in the last two columns; no AI value, no state). RFC 4180 quoting. Columns are only ever
 * added at the end: tools read them by position too.
 */
import type { QaCaliper, QaItem, QaMeasurement } from './layout.js';

export const CSV_COLUMNS = [
  'item',
  'exam',
  'patient',
  'exam_type',
  'exam_date',
  'dating_ga_weeks',
  'image',
  'mask_ai',
  'mask_final',
  'final_outline',
  'pixel_size_x_mm',
  'pixel_size_y_mm',
  'model_id',
  'model_version',
  'kind',
  'unit',
  'state',
  'ai_value',
  'ai_text',
  'final_value',
  'final_text',
  'final_by',
  'second_agree',
  'second_value',
  'second_text',
  'adjudicated_value',
  'adjudicated_text',
  'caliper_n',
  /** x y pairs in frame pixels (canvas corner convention), `;` between points: "100.5 80;160.5 160" */
  'caliper_points',
  /** the value of record: the latest adjudication's, else the first decision's (final_value); second_read_open: a disagreement not yet adjudicated */
  'record_value',
  'record_text',
  'second_read_open',
] as const;

type Row = Partial<Record<(typeof CSV_COLUMNS)[number], unknown>>;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function itemCells(it: QaItem): Row {
  return {
    item: it.item,
    exam: it.exam,
    patient: it.patient,
    exam_type: it.examType,
    exam_date: it.examDate,
    dating_ga_weeks: it.datingGaWeeks,
    image: it.files.image,
    mask_ai: it.files.maskAi,
    mask_final: it.files.maskFinal,
    final_outline: it.final.source,
    pixel_size_x_mm: it.pixelSpacingMm?.x,
    pixel_size_y_mm: it.pixelSpacingMm?.y,
    model_id: it.model?.id,
    model_version: it.model?.version,
  };
}

function measurementCells(m: QaMeasurement): Row {
  return {
    kind: m.kind,
    unit: m.unit,
    state: m.state,
    ai_value: m.ai.value,
    ai_text: m.ai.text,
    final_value: m.final?.value,
    final_text: m.final?.text,
    final_by: m.final?.by,
    second_agree: m.secondRead?.agree,
    second_value: m.secondRead?.value,
    second_text: m.secondRead?.text,
    adjudicated_value: m.adjudicated?.value,
    adjudicated_text: m.adjudicated?.text,
    record_value: m.record?.value,
    record_text: m.record?.text,
    second_read_open: m.record?.flagged,
  };
}

function caliperCells(c: QaCaliper): Row {
  return {
    kind: `caliper-${c.kind}`,
    unit: c.unit,
    final_value: c.value,
    final_by: c.by,
    caliper_n: c.n,
    caliper_points: c.points.map(([x, y]) => `${x} ${y}`).join(';'),
  };
}

export function manifestCsv(items: readonly QaItem[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  const push = (row: Row): void => {
    lines.push(CSV_COLUMNS.map((c) => cell(row[c])).join(','));
  };
  for (const it of items) {
    for (const m of it.measurements) push({ ...itemCells(it), ...measurementCells(m) });
    for (const c of it.calipers) push({ ...itemCells(it), ...caliperCells(c) });
  }
  return lines.join('\r\n') + '\r\n';
}
