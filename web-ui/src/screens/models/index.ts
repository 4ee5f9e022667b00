/**
 * The model install screen (technicians): upload a signed package with a progress bar, the verification
 * steps ticking by from the install report (a refused step with its coded message), then the models with
 * their versions, health window, history and a rollback. Builds its own section.
 */
import type { Screen } from '../types';
import { h } from '../system/dom';
import { techApi } from '../system/api';
import { st } from '../system/text';
import { StepList } from './steps';
import { uploadPackage } from './upload';
import { modelCard } from './versions';

const file = h('input', { type: 'file', id: 'model-file', accept: '.sonomodel,.tar,.tgz,application/octet-stream' });
const activate = h('input', { type: 'checkbox', id: 'model-activate', checked: true });
const install = h('button', { className: 'big primary', id: 'model-install' });
const progress = h('progress', { id: 'model-progress', max: 1, value: 0 });
const message = h('p', { id: 'model-message', role: 'status' });
const steps = new StepList();
const cards = h('div', { id: 'model-cards' });
const title = h('h2');
const fileLabel = h('span');
const activateLabel = h('span');
let root: HTMLElement | undefined;

function say(text: string, ok: boolean): void {
  message.textContent = text;
  message.className = ok ? 'ok' : 'error';
}

function label(): void {
  title.textContent = st('install');
  fileLabel.textContent = st('chooseFile');
  activateLabel.textContent = st('activateNow');
  install.textContent = st('upload');
}

async function loadModels(): Promise<void> {
  const { models } = await techApi.models();
  cards.replaceChildren(...models.map((m) => modelCard(m, (text, ok) => {
    say(text, ok);
    void loadModels().catch((err: Error) => say(err.message, false));
  })));
}

async function runInstall(): Promise<void> {
  const f = file.files?.[0];
  if (!f) return;
  install.disabled = true;
  progress.value = 0;
  steps.reset(false);
  say(st('uploading', { pct: 0 }), true);
  const answer = await uploadPackage(f, activate.checked, (x) => {
    progress.value = x;
    if (x < 1) say(st('uploading', { pct: Math.round(x * 100) }), true);
    else {
      say(st('checking'), true);
      steps.reset(true);
    }
  });
  install.disabled = false;
  if (answer.ok) {
    steps.show(answer.report);
    const r = answer.report;
    say(`${st('installedOk', { id: r.id ?? '', version: r.version ?? '' })} ${r.activated ? st('activated') : st('notActivated')}`, true);
  } else {
    steps.show(answer.report, answer);
    say(st('refusedAt', { step: answer.step ?? '–', message: answer.message, code: answer.code }), false);
  }
  await loadModels().catch(() => undefined);
}

function section(): HTMLElement {
  if (root) return root;
  root = h('section', { id: 'view-models', className: 'view page', hidden: true },
    title,
    h('div', { className: 'model-upload' }, h('label', {}, fileLabel, file), h('label', { className: 'toggle' }, activate, activateLabel), install),
    progress, message, steps.root, cards);
  document.body.insertBefore(root, document.querySelector('body > script') ?? null); // the built page has its script in <head>
  return root;
}

export const modelsScreen: Screen = {
  id: 'models',
  access: 'technician',
  labelKey: 'models',
  section,
  async open(): Promise<void> {
    label();
    await loadModels();
  },
  setup(): void {
    section();
    label();
    steps.reset(false);
    file.addEventListener('change', () => (install.disabled = !file.files?.length));
    install.disabled = true;
    install.addEventListener('click', () => void runInstall().catch((err: Error) => say(err.message, false)));
  },
};
