/**
 * Whether the chosen exam type's model is installed (issue 18: "a model that is not installed is said, not
 * shown as dashes with pre-filled categories"). The daemon's hello lists the models it runs; when the exam
 * type's task is not among them, its numbers and category selectors are hidden and the panel says so plainly.
 */
import { type LiveModel, TASK_OF_EXAM } from '../../../src/protocol/index.js';
import { examTypeList } from '../exam-types/index';
import { t } from '../i18n';
import type { LiveContext } from './context';
import { fill } from './strings';

/** The note, made once per page and kept here: while the page is locked the panel is out of the document, so a
 *  lookup by id found nothing and each call made another note and another language listener. */
let madeNote: HTMLElement | undefined;

function noteElement(c: LiveContext): HTMLElement {
  if (madeNote) return madeNote;
  const p = Object.assign(document.createElement('p'), { id: 'model-missing', className: 'model-missing', hidden: true });
  p.setAttribute('role', 'status');
  c.els.breastMeasurements.after(p);
  c.els.lang.addEventListener('change', () => showModelAvailability(c)); // said again in the new language
  madeNote = p;
  return p;
}

/** Records the models the daemon runs (an empty list while its sessions load says nothing yet). */
export function modelsInstalled(c: LiveContext, models: LiveModel[]): void {
  c.state.installedTasks = models.length > 0 ? new Set(models.map((m) => m.task)) : undefined;
  showModelAvailability(c);
}

/** Shows the exam type's panel, or in its place the plain statement that its model is not installed. */
export function showModelAvailability(c: LiveContext): void {
  const task = TASK_OF_EXAM[c.state.examType];
  const missing = c.state.installedTasks !== undefined && !c.state.installedTasks.has(task);
  const note = noteElement(c);
  note.hidden = !missing;
  note.dataset.task = task;
  note.textContent = missing ? fill(t('modelMissing'), { model: task }) : '';
  const module = c.examType();
  for (const m of examTypeList) m.panel(c.els).hidden = m !== module || missing;
  c.els.findings.hidden = missing;
}
