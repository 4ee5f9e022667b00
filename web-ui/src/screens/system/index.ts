/**
 * The System page a technician uses on site: status (version, source, calibration scope, faults, disk,
 * pairing fingerprints), source settings, sync targets and held images, backup to a USB stick, the active models. Refreshes
 * itself every few seconds while it is open and the page visible; stops when hidden.
 */
import { api } from '../../api';
import type { Elements } from '../../dom/elements';
import type { Screen } from '../types';
import { techApi } from './api';
import { BackupPanel } from './backup-panel';
import { h, rows } from './dom';
import { SourceForm } from './source-form';
import { deviceSecretText, statusRows } from './status';
import { st } from './text';
import { SyncPanel } from './sync-panel';

export const REFRESH_MS = 3000;

let form: SourceForm | undefined;
let sync: SyncPanel | undefined;
let backup: BackupPanel | undefined;
let timer: ReturnType<typeof setInterval> | undefined;
const stamp = h('p', { className: 'refreshed', role: 'status' });
/** Above the status list while the device secret on disk is not the one running (nothing to see otherwise). */
const secretWarning = h('p', { className: 'device-secret-warning', id: 'device-secret-warning', role: 'alert', hidden: true });
secretWarning.style.cssText = 'color: var(--alert); font-weight: bold;';
const section = (): HTMLElement => document.getElementById('view-system')!;
const optional = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

/** One refresh: every part asks its route; a part whose route fails shows a dash, the others still show. */
async function refresh(els: Elements): Promise<void> {
  const [health, s, cal, tls, usb] = await Promise.all([api.health(), optional(api.sync()), optional(techApi.calibration()), optional(techApi.tls()), optional(techApi.backupTargets())]);
  els.systemInfo.replaceChildren(...rows(statusRows(health, cal, tls)));
  const warning = deviceSecretText(health);
  if (secretWarning.textContent !== warning) secretWarning.textContent = warning;
  secretWarning.hidden = warning === '';
  if (s) sync?.show(s);
  if (usb) backup?.show(usb);
  els.modelList.replaceChildren(
    ...health.models.map((m) => h('li', { textContent: `${m.id} ${m.version} · ${m.provider} · ${m.precision}${m.healthWindow ? ` · ${st('healthWindow')}: ${m.healthWindow}` : ''}` })),
  );
  stamp.textContent = st('refreshed', { time: new Date().toLocaleTimeString(document.documentElement.lang || undefined) });
}

// the section is out of the document while the page is locked (the curtain), and a language switch on the sign-in screen asks
const visible = (): boolean => document.getElementById('view-system')?.hidden === false && !document.hidden;

function stop(): void {
  clearInterval(timer);
  timer = undefined;
}

function start(els: Elements): void {
  if (timer !== undefined || !visible()) return;
  timer = setInterval(() => (visible() ? void refresh(els).catch(() => undefined) : stop()), REFRESH_MS);
}

export const systemScreen: Screen = {
  id: 'system',
  access: 'technician',
  labelKey: 'system',
  section,
  async open(els: Elements): Promise<void> {
    await Promise.all([refresh(els), form?.load()]);
    start(els);
  },
  setup(els: Elements): void {
    form = new SourceForm(els, () => void refresh(els).catch(() => undefined));
    sync = new SyncPanel(() => void refresh(els).catch(() => undefined));
    els.systemInfo.after(stamp);
    els.systemInfo.before(secretWarning);
    backup = new BackupPanel();
    els.modelList.after(sync.root);
    sync.root.after(backup.root);
    document.addEventListener('visibilitychange', () => (visible() ? start(els) : stop()));
    els.lang.addEventListener('change', () => visible() && void refresh(els).catch(() => undefined));
  },
};
