/** The growth page's table: one row per visit, the HC each point comes from (which capture, decided by whom). */
import type { PatientGrowthDto } from '../../../../src/protocol/rest/index.js';
import { formatDate, formatGa, formatNumber } from '../../live/format';
import { tg } from './strings';

const td = (text: string, cls = ''): HTMLTableCellElement => Object.assign(document.createElement('td'), { textContent: text, className: cls });

export function visitsTable(g: PatientGrowthDto): HTMLTableElement {
  const table = Object.assign(document.createElement('table'), { id: 'growth-visits' });
  table
    .createTHead()
    .insertRow()
    .append(...(['date', 'ga', 'hc', 'centile', 'from', 'aiHc', 'decidedBy'] as const).map((k) => Object.assign(document.createElement('th'), { textContent: tg(k) })));
  const body = table.createTBody();
  for (const v of g.visits) {
    const point = g.points.find((p) => p.examId === v.examId);
    const row = body.insertRow();
    row.dataset.examId = v.examId;
    row.dataset.state = v.state;
    row.dataset.plotted = String(point !== undefined);
    const from = v.gaWeeks === null ? tg('notDated') : tg(v.state);
    row.append(
      td(formatDate(v.date)),
      td(v.gaWeeks !== null ? formatGa(v.gaWeeks) : '–'),
      td(v.hcMm !== null ? `${formatNumber(v.hcMm, 1)} mm` : '–', 'growth-hc'),
      td(point?.centile !== undefined ? formatNumber(point.centile, 0) : '–'),
      td(from + (v.captureId ? ` · ${v.captureId.slice(0, 8)}` : ''), `state-${v.state}`),
      td(v.aiHcMm !== null ? `${formatNumber(v.aiHcMm, 1)} mm` : '–'),
      td(v.decidedBy ?? ''),
    );
  }
  return table;
}
