/**
 * What the printed report says, as lines of text: built from the exam record alone (pure), so the PDF
 * renderer only lays it out. A value the clinician did not review is said to be unverified in words. Each value
 * is the record's (an adjudicated one after a second reading, src/records/value-of-record.ts), said so.
 */
import type { Flag } from '../analysis/flags.js';
import type { BreastSide } from '../protocol/laterality.js';
import { hasEllipse, outlineMovedValueKept } from '../protocol/outline-moved.js';
import type { Exam, ManualMeasure, Measurement } from '../records/types.js';
import type { ReportText } from './i18n.js';

export interface ReportRow {
  label: string;
  ai: string;
  final: string;
  decision: string;
  unverified: boolean;
}

export interface ReportCapture {
  id: string;
  heading: string;
  rows: ReportRow[];
  /** At least one value on it was confirmed or corrected: its image goes on the report. */
  reviewed: boolean;
}

export interface ReportModel {
  title: string;
  /** [label, value] pairs */
  patient: Array<[string, string]>;
  exam: Array<[string, string]>;
  captures: ReportCapture[];
  /** Sentences; empty when the exam is not obstetric or has nothing to say. */
  growth: string[];
  footer: string;
  /** Formats a label before its value ("Name: ", "Nom : "). */
  labelled: (label: string) => string;
  labels: {
    patient: string;
    exam: string;
    columns: [string, string, string, string];
    noMeasurements: string;
    noCaptures: string;
    growth: string;
    thumbnails: string;
    /** after "+N ": the reviewed captures whose image is left off the report (src/report/build-report.ts caps them) */
    moreImages: string;
    page: string;
  };
}

/** PN FAMILY^GIVEN^MIDDLE^PREFIX^SUFFIX as "FAMILY, GIVEN MIDDLE". */
export function displayName(pn: string): string {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = pn.split('^');
  const first = [prefix, given, middle].filter(Boolean).join(' ');
  return [family, first].filter(Boolean).join(', ') + (suffix ? ` ${suffix}` : '');
}

function shown(m: Measurement, which: 'ai' | 'final', t: ReportText): string {
  const v = which === 'ai' ? m.aiValue : m.finalValue;
  const text = which === 'ai' ? m.aiText : m.finalText;
  if (text !== null) {
    // a class carries the model's confidence as its value; the category is what was decided
    const withValue = m.kind === 'lesion_class' && v !== null && which === 'ai' ? ` (${t.value(v, '%')})` : '';
    return t.category(text) + withValue;
  }
  return v === null ? t.t('notUsed') : t.value(v, m.unit);
}

/**
 * What the decision column adds for a second-read value (src/records/value-of-record.ts): the adjudication that
 * replaced the first reading, and a disagreement nobody adjudicated yet (the value shown is then the last settled one).
 */
function secondReadText(m: Measurement, t: ReportText): string {
  const r = m.secondRead;
  if (!r) return '';
  const of = (x: { value: number | null; text: string | null }): string => shown({ ...m, finalValue: x.value, finalText: x.text }, 'final', t);
  const sep = t.lang === 'fr' ? ' ; ' : '; ';
  const parts: string[] = [];
  if (r.adjudicated && (m.finalValue !== r.first.value || m.finalText !== r.first.text)) parts.push(`${t.t('adjudicated')}${sep}${t.t('firstReading')} ${of(r.first)}`);
  if (r.flagged) parts.push(`${t.t('secondReadOpen')} ${of(r.second)}, ${t.t('awaitingAdjudication')}`);
  return parts.length > 0 ? ` (${parts.join(sep)})` : '';
}

/** A distance or area the clinician measured: no AI value, the clinician's number, who measured it. */
function manualRow(m: ManualMeasure, t: ReportText): ReportRow {
  const distance = m.kind === 'distance';
  return {
    label: `${t.t(distance ? 'manualDistance' : 'manualArea')} ${distance ? 'D' : 'A'}${m.n}`,
    ai: t.t('notUsed'),
    final: `${t.number(m.value, 1)} ${m.unit}`,
    decision: `${t.t('measuredBy')} ${m.by ?? '?'}`,
    unverified: false,
  };
}

/** The breast a capture was taken on, in words; a capture stored before sides were recorded says so. */
function sideText(side: BreastSide | null | undefined, t: ReportText): string {
  return t.t(side === 'left' ? 'sideLeft' : side === 'right' ? 'sideRight' : 'sideUnknown');
}

/** This exam's HC centile and the patient's growth flags (obstetric exams). */
export interface ReportGrowth {
  hcCentile: { z: number; centile: number } | undefined;
  flags: Flag[];
}

export function reportModel(exam: Exam, growth: ReportGrowth | undefined, t: ReportText, printedAt: string): ReportModel {
  const p = exam.patient;
  const patient: Array<[string, string]> = p
    ? [
        [t.t('name'), p.name ? displayName(p.name) : t.t('notUsed')],
        [t.t('id'), p.id ?? t.t('notUsed')],
        [t.t('birthDate'), p.birthDate ? t.dicomDate(p.birthDate) : t.t('notUsed')],
        ...(p.sex ? [[t.t('sex'), t.t(p.sex)] as [string, string]] : []),
      ]
    : [[t.t('patient'), t.t('anonymous')]];
  const examLines: Array<[string, string]> = [
    [t.t('examType'), t.examType(exam.examType)],
    [t.t('started'), t.dateTime(exam.createdAt)],
    [t.t('closed'), exam.closedAt ? t.dateTime(exam.closedAt) : t.t('notClosed')],
    [t.t('operator'), exam.operator ?? t.t('notUsed')],
    ...(exam.datingGaWeeks !== null ? [[t.t('datingGa'), t.ga(exam.datingGaWeeks)] as [string, string]] : []),
    [t.t('printed'), t.dateTime(printedAt)],
  ];
  const captures = exam.captures.map((c, i): ReportCapture => ({
    id: c.id,
    // a breast capture names its breast in the first part, which the image's caption repeats (build-report.ts)
    heading: `${t.t('capture')} ${i + 1}${exam.examType === 'breast' ? ` — ${sideText(c.laterality, t)}` : ''} · ${t.dateTime(c.createdAt)} · ${t.t('frame')} ${c.frameSeq}`,
    rows: [
      ...c.measurements.map((m) => ({
        label: t.kind(m.kind),
        ai: shown(m, 'ai', t),
        final: m.state === 'unverified' ? t.t('notUsed') : shown(m, 'final', t),
        // a head value corrected to the AI's own value: the clinician moved or turned the outline (outline-moved.ts)
        decision:
          t.state(m.state, m.decidedBy) + (outlineMovedValueKept(m.kind, m.state, m.aiValue, m.finalValue, hasEllipse(m.finalGeometry)) ? ` (${t.t('outlineMoved')})` : '') + secondReadText(m, t),
        unverified: m.state === 'unverified',
      })),
      ...(c.clinicianMeasurements ?? []).map((m) => manualRow(m, t)),
    ],
    reviewed: c.measurements.some((m) => m.state !== 'unverified') || (c.clinicianMeasurements?.length ?? 0) > 0,
  }));
  const lines: string[] = [];
  if (exam.examType === 'obstetric' && growth) {
    const c = growth.hcCentile;
    if (c) lines.push(`${t.labelled(t.t('hcCentile'))}${t.number(c.centile, 0)} (z ${t.number(c.z, 2)})`);
    lines.push(...growth.flags.map((f) => t.flag(f.code, f.message)));
    if (growth.flags.length === 0) lines.push(t.t('noFlags'));
  }
  return {
    title: t.t('title'),
    patient,
    exam: examLines,
    captures,
    growth: lines,
    footer: t.t('footer'),
    labelled: (l) => t.labelled(l),
    labels: {
      patient: t.t('patient'),
      exam: t.t('exam'),
      columns: [t.t('measurement'), t.t('ai'), t.t('final'), t.t('decision')],
      noMeasurements: t.t('noMeasurements'),
      noCaptures: t.t('noCaptures'),
      growth: t.t('growth'),
      thumbnails: t.t('thumbnails'),
      moreImages: t.t('moreImages'),
      page: t.t('page'),
    },
  };
}
