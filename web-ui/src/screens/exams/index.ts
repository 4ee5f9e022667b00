/**
 * Every exam, newest first: date, patient, type, status (open, closed, voided), captures and sync state,
 * narrowed by patient ID as typed. A row opens the exam record (record.ts).
 */
import './exams.css';
import type { ExamSummaryDto } from '../../../../src/protocol/rest/index.js';
import type { Elements } from '../../dom/elements';
import { formatDate } from '../../live/format';
import { patientApi } from '../../patient-form/patient-api';
import type { Screen } from '../types';
import { openRecord, recordElement } from './record';
import { patientText, statusOf, timeOf } from './exam-text';
import { tx, word } from './strings';

const cell = (text: string, cls = ''): HTMLTableCellElement => Object.assign(document.createElement('td'), { textContent: text, className: cls });
let all: ExamSummaryDto[] = [];

function section(): HTMLElement {
  return document.getElementById('view-exams')!;
}

function showRows(els: Elements): void {
  const q = (document.getElementById('exam-search') as HTMLInputElement).value.trim().toLowerCase();
  const rows = q ? all.filter((e) => e.patient?.id?.toLowerCase().includes(q)) : all;
  els.examRows.replaceChildren(
    ...rows.map((e) => {
      const tr = document.createElement('tr');
      tr.dataset.examId = e.id;
      tr.tabIndex = 0;
      tr.className = `exam-row status-${statusOf(e)}`;
      tr.append(
        cell(`${formatDate(e.createdAt)} ${timeOf(e.createdAt)}`),
        cell(patientText(e)),
        cell(tx(e.examType)),
        cell(tx(statusOf(e)), `status-${statusOf(e)}`),
        cell(String(e.captureCount)),
        cell(word('sync', e.sync), `sync-${e.sync}`),
      );
      const open = (): void => void openRecord(e.id, () => void examsScreen.open!(els)).catch((err: Error) => showError(err.message));
      tr.addEventListener('click', open);
      tr.addEventListener('keydown', (ev) => ev.key === 'Enter' && open());
      return tr;
    }),
  );
}

function showError(text: string): void {
  document.getElementById('exam-list-message')!.textContent = text;
}

export const examsScreen: Screen = {
  id: 'exams',
  labelKey: 'exams',
  access: 'clinician',
  section,
  setup(els: Elements): void {
    const s = section();
    const search = Object.assign(document.createElement('input'), { id: 'exam-search', type: 'search', autocomplete: 'off', className: 'exam-search' });
    const msg = Object.assign(document.createElement('p'), { id: 'exam-list-message', className: 'error' });
    msg.setAttribute('role', 'alert');
    s.querySelector('h2')!.after(search, msg);
    s.append(recordElement());
    search.addEventListener('input', () => showRows(els));
  },
  async open(els: Elements): Promise<void> {
    const table = section().querySelector('table')!;
    const search = document.getElementById('exam-search') as HTMLInputElement;
    search.placeholder = tx('searchId');
    table.tHead!.rows[0]!.replaceChildren(...(['date', 'patient', 'type', 'status', 'captures', 'sync'] as const).map((k) => Object.assign(document.createElement('th'), { textContent: tx(k) })));
    table.hidden = false;
    search.hidden = false;
    recordElement().hidden = true;
    showError('');
    all = await patientApi.listExams();
    showRows(els);
  },
};
