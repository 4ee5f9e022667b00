/**
 * Growth per patient: choose the patient (the open exam's, else the newest exam's, or search earlier patients), their name and ID
 * over the chart and on it, HC against GA with the INTERGROWTH-21st centiles, plotting for each visit the
 * HC the clinician decided (never simply the last capture), and the table of visits it comes from.
 */
import './growth.css';
import type { Elements } from '../../dom/elements';
import { drawGrowthChart } from '../../growth-chart';
import { flagMessage, t } from '../../i18n';
import { failureText } from '../../live/action-message';
import { examSession } from '../../patient-form/exam-session';
import { patientApi } from '../../patient-form/patient-api';
import { showDate } from '../../patient-form/typed-date';
import type { Screen } from '../types';
import { tg } from './strings';
import { visitsTable } from './visits-table';

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const pn = (name: string | null): string => (name ?? '').replace('^', ', ').replace(/\^/g, ' ');

/** The patient picked here, and the exam open when they were picked (a new exam brings its own patient back). */
let chosen: { patientId: string; examId: string | undefined } | undefined;

async function show(els: Elements, patientId: string | undefined): Promise<void> {
  const title = byId('growth-patient');
  const table = byId('growth-table');
  if (!patientId) {
    title.textContent = tg('choose');
    els.growthNote.textContent = '';
    table.replaceChildren();
    els.growthFlags.replaceChildren();
    drawGrowthChart(els.growthChart, [], { x: t('gaAxis'), y: t('hcAxis') });
    return;
  }
  const g = await patientApi.growth(patientId);
  const who = `${pn(g.patient.name)} · ${tg('patientId')} ${g.patient.id}${g.patient.birthDate ? ` · ${tg('born')} ${showDate(g.patient.birthDate)}` : ''}`;
  title.textContent = who;
  title.dataset.patientId = g.patient.id;
  els.growthNote.textContent = g.points.length ? '' : tg('noVisits');
  drawGrowthChart(els.growthChart, g.points, { x: t('gaAxis'), y: t('hcAxis'), title: who });
  els.growthChart.dataset.points = JSON.stringify(g.points.map((p) => [p.gaWeeks, p.hcMm]));
  table.replaceChildren(visitsTable(g));
  els.growthFlags.replaceChildren(...g.flags.map((f) => Object.assign(document.createElement('li'), { textContent: flagMessage(f.code, f.message), className: 'alert' })));
}

export const growthScreen: Screen = {
  id: 'growth',
  labelKey: 'growth',
  access: 'clinician',
  section: () => byId('view-growth'),
  setup(els: Elements): void {
    const search = Object.assign(document.createElement('input'), { id: 'growth-search', type: 'search', autocomplete: 'off' });
    const choices = Object.assign(document.createElement('ul'), { id: 'growth-choices', className: 'growth-choices' });
    const title = Object.assign(document.createElement('h3'), { id: 'growth-patient' });
    const table = Object.assign(document.createElement('div'), { id: 'growth-table' });
    byId('view-growth').querySelector('h2')!.after(search, choices, title);
    els.growthChart.after(table);
    let asked = 0;
    search.addEventListener('input', () => {
      const mine = ++asked;
      const text = search.value.trim();
      if (!text) return void choices.replaceChildren();
      patientApi.searchPatients(text).then(
        (found) => {
          if (mine !== asked) return;
          choices.replaceChildren(
            ...(found.length ? found : [undefined]).map((p) => {
              const li = document.createElement('li');
              if (!p) return Object.assign(li, { textContent: tg('noMatch') });
              const b = Object.assign(document.createElement('button'), { type: 'button', className: 'pf-choice', textContent: `${pn(p.name)} · ${p.id}` });
              b.dataset.pick = p.id;
              b.addEventListener('click', () => {
                chosen = { patientId: p.id, examId: examSession.current()?.id };
                choices.replaceChildren();
                search.value = '';
                show(els, p.id).catch((err: Error) => (els.growthNote.textContent = failureText(err)));
              });
              li.append(b);
              return li;
            }),
          );
        },
        (err: Error) => (els.growthNote.textContent = failureText(err)),
      );
    });
  },
  async open(els: Elements): Promise<void> {
    byId<HTMLInputElement>('growth-search').placeholder = tg('searchPlaceholder');
    // the open exam's patient first: the chart never shows another patient's visits without saying whose
    const exam = examSession.current();
    const picked = chosen && chosen.examId === exam?.id ? chosen.patientId : (exam?.patient?.id ?? chosen?.patientId);
    // nothing open or picked: the newest exam's patient, named over the chart like any other
    await show(els, picked ?? (await patientApi.listExams()).find((e) => e.patient?.id && !e.voidedAt)?.patient?.id);
  },
};
