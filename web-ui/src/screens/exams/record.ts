/**
 * One exam's record: type, patient, status, operator, dating, sync state; each capture with its AI and
 * final values and their state; every decision in order; and the actions the status allows — resume an
 * open exam in the live view, void one started by mistake (asked twice, with a reason), the printable report.
 */
import { outlineMovedValueKept } from '../../../../src/protocol/outline-moved.js';
import type { DecisionHistoryDto } from '../../../../src/protocol/rest/index.js';
import { type Exam, api } from '../../api';
import { failureText } from '../../live/action-message';
import { formatDate, formatGa, formatNumber } from '../../live/format';
import { examSession } from '../../patient-form/exam-session';
import { patientApi } from '../../patient-form/patient-api';
import { showDate } from '../../patient-form/typed-date';
import { patientText, statusOf, timeOf } from './exam-text';
import { appendManualRows } from './manual-rows';
import { clipRows } from './clip-rows';
import { type ExamKey, hasKey, tx, word } from './strings';

const make = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}): HTMLElementTagNameMap[K] => Object.assign(document.createElement(tag), props);
const button = (id: string, key: ExamKey, cls = 'big'): HTMLButtonElement => make('button', { id, type: 'button', className: cls, textContent: tx(key) });

let root: HTMLElement | undefined;
/** The record's container, built once inside the exams section. */
export function recordElement(): HTMLElement {
  root ??= make('div', { id: 'exam-record', className: 'exam-record', hidden: true });
  return root;
}

function facts(exam: Exam & { sync?: string }): HTMLDListElement {
  const dl = make('dl', { id: 'record-facts' });
  const p = exam.patient;
  const rows: Array<[ExamKey, string]> = [
    ['patient', patientText(exam)],
    ['birthDate', showDate(p?.birthDate)],
    ['sex', word('sex', p?.sex)],
    ['type', tx(exam.examType)],
    ['status', tx(statusOf(exam))],
    ['started', `${formatDate(exam.createdAt)} ${timeOf(exam.createdAt)}`],
    ['operator', exam.operator ?? ''],
    [
      'dating',
      exam.datingGaWeeks !== null
        ? `${formatGa(exam.datingGaWeeks)}${exam.datingMethod && exam.datingMethod !== 'ga' ? ` (${exam.datingMethod.toUpperCase()} ${showDate(exam.datingDate)})` : ''}`
        : '',
    ],
    ['accession', exam.accessionNumber ?? ''],
    ['sync', word('sync', exam.sync ?? 'none')],
    ['voidedBy', exam.voidedAt ? `${exam.voidedBy ?? ''} · ${formatDate(exam.voidedAt)} · ${exam.voidReason ?? ''}` : ''],
  ];
  for (const [k, v] of rows) if (v) dl.append(make('dt', { textContent: tx(k) }), make('dd', { textContent: v, className: `fact-${k}` }));
  return dl;
}

const value = (v: number | null, text: string | null, unit: string): string => text ?? (v === null ? '–' : `${formatNumber(v, unit === 'ratio' ? 2 : 1)} ${unit === 'ratio' ? '' : unit}`.trim());

/** A second-read value (the daemon's value of record): the adjudication that replaced the first reading, a disagreement still open. */
function secondReadText(m: Exam['captures'][number]['measurements'][number]): string {
  const r = m.secondRead;
  if (!r) return '';
  const adjudicated = r.adjudicated && (m.finalValue !== r.first.value || m.finalText !== r.first.text) ? ` · ${tx('adjudicated')} ${value(r.first.value, r.first.text, m.unit)}` : '';
  return adjudicated + (r.flagged ? ` · ${tx('secondReadOpen')} ${value(r.second.value, r.second.text, m.unit)}` : '');
}

function captures(exam: Exam): HTMLElement {
  const box = make('div', { id: 'record-captures' });
  if (!exam.captures.length) box.append(make('p', { textContent: tx('noCaptures') }));
  for (const c of exam.captures) {
    const table = make('table', { className: 'record-capture' });
    table.dataset.captureId = c.id;
    table.createCaption().textContent = `${new Date(c.createdAt).toLocaleTimeString()} · ${tx('frame')} ${c.frameSeq}`;
    table
      .createTHead()
      .insertRow()
      .append(...(['measurement', 'ai', 'final', 'state', 'decidedBy'] as const).map((k) => make('th', { textContent: tx(k) })));
    const body = table.createTBody();
    for (const m of c.measurements) {
      const row = body.insertRow();
      row.dataset.kind = m.kind;
      if (m.secondRead) row.dataset.secondRead = m.secondRead.flagged ? 'open' : 'settled';
      const decided = m.state !== 'unverified';
      row.append(
        make('td', { textContent: m.kind.replace(/_/g, ' ') }),
        make('td', { textContent: value(m.aiValue, m.aiText, m.unit) }),
        make('td', { textContent: decided ? value(m.finalValue, m.finalText, m.unit) + secondReadText(m) : '–' }),
        make('td', { textContent: hasKey(m.state) ? tx(m.state) : m.state, className: `state-${m.state}` }),
        make('td', { textContent: m.decidedBy ?? '' }),
      );
    }
    appendManualRows(body, c.clinicianMeasurements); // the clinician's own calipers on this frame
    box.append(table);
  }
  return box;
}

/** The exam's decisions in order; a head value corrected to the AI's own value says its outline was moved. */
function decisions(list: DecisionHistoryDto, exam: Exam): HTMLElement {
  const box = make('div', { id: 'record-decisions' });
  box.append(make('h3', { textContent: tx('decisions') }));
  if (!list.length) box.append(make('p', { textContent: tx('noDecisions') }));
  const aiValues = new Map(exam.captures.flatMap((c) => c.measurements.map((m) => [m.id, m.aiValue] as const)));
  const ol = make('ol');
  for (const d of list) {
    const moved = outlineMovedValueKept(d.kind, d.decision, aiValues.get(d.measurementId) ?? null, d.finalValue, d.withEllipse === true);
    ol.append(
      make('li', {
        textContent: `${formatDate(d.at)} ${timeOf(d.at)} · ${d.by} · ${d.kind.replace(/_/g, ' ')} ${tx(d.decision)} ${d.finalText ?? (d.finalValue !== null ? formatNumber(d.finalValue, 1) : '')}${moved ? ` (${tx('outlineMoved')})` : ''}`,
      }),
    );
  }
  box.append(ol);
  return box;
}

/** The void question: a reason, then a second tap; the exam stays, marked voided, never sent. */
function voidControls(exam: Exam, reopen: () => void, say: (t: string) => void): HTMLElement {
  const box = make('div', { className: 'record-void' });
  const start = button('record-void', 'voidExam');
  const ask = make('div', { id: 'record-void-ask', hidden: true, className: 'record-ask' });
  const reason = make('input', { id: 'record-void-reason', placeholder: tx('voidReason'), autocomplete: 'off' });
  const yes = button('record-void-yes', 'voidYes', 'big danger');
  const no = button('record-void-cancel', 'cancel');
  ask.append(make('p', { textContent: tx('voidAsk') }), reason, yes, no);
  start.addEventListener('click', () => ((ask.hidden = false), (start.hidden = true), reason.focus()));
  no.addEventListener('click', () => ((ask.hidden = true), (start.hidden = false)));
  yes.addEventListener('click', () => {
    if (reason.value.trim().length < 3) return say(tx('reasonShort'));
    yes.disabled = true;
    patientApi.voidExam(exam.id, reason.value.trim()).then(
      () => (examSession.forget(exam.id), reopen()),
      (err: Error) => ((yes.disabled = false), say(failureText(err))),
    );
  });
  box.append(start, ask);
  return box;
}

/** Shows the record of exam `id` in place of the list; `back` returns to the list. */
export async function openRecord(id: string, back: () => void): Promise<void> {
  const [exam, history] = await Promise.all([api.getExam(id), patientApi.decisions(id)]);
  const section = document.getElementById('view-exams')!;
  section.querySelector('table')!.hidden = true;
  (document.getElementById('exam-search') as HTMLInputElement).hidden = true;
  const r = recordElement();
  const msg = make('p', { id: 'record-message', className: 'error' });
  msg.setAttribute('role', 'alert');
  const say = (t: string): void => void (msg.textContent = t);
  const actions = make('div', { className: 'record-actions' });
  const backButton = button('record-back', 'back');
  backButton.addEventListener('click', back);
  actions.append(backButton);
  const status = statusOf(exam);
  if (status === 'open') {
    const resume = button('record-resume', 'resume', 'big primary');
    resume.addEventListener('click', () => (examSession.resume(exam), (document.querySelector('#tabs .tab[data-view="live"]') as HTMLElement | null)?.click()));
    actions.append(
      resume,
      voidControls(exam, () => void openRecord(id, back), say),
    );
  }
  if (status === 'closed')
    actions.append(make('a', { id: 'record-report', className: 'big button-link', href: patientApi.reportUrl(id), target: '_blank', rel: 'noopener', textContent: tx('report') }));
  r.replaceChildren(make('h3', { id: 'record-title', textContent: `${tx(exam.examType)} · ${patientText(exam)}` }), actions, msg, facts(exam), captures(exam), clipRows(id), decisions(history, exam));
  r.dataset.examId = id;
  r.dataset.status = status;
  r.hidden = false;
}
