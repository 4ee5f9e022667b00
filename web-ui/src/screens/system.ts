import { api } from '../api';
import type { Elements } from '../dom/elements';
import { t } from '../i18n';
import type { Screen } from './types';

async function showSystem(els: Elements): Promise<void> {
  const [h, s] = await Promise.all([api.health(), api.sync()]);
  const rows: Array<[string, string]> = [
    [t('source'), h.source ? `${h.source.driver} · ${h.source.state} · ${h.source.fps.toFixed(1)} ${t('fps')}${h.source.errors ? ` · ${h.source.errors} errors (${h.source.lastError ?? ''})` : ''}` : '–'],
    [t('provider'), h.provider ?? '–'],
    [t('uptime'), `${Math.round(h.uptimeSeconds / 60)} min`],
    [t('disk'), h.disk ? `${h.disk.path} · ${(h.disk.freeBytes / 2 ** 30).toFixed(1)} / ${(h.disk.totalBytes / 2 ** 30).toFixed(1)} GiB free` : '–'],
    [t('queue'), s.targets.length ? s.targets.map((x) => `${x.name}: ${x.state} · ${x.counts.pending} / ${x.counts.sent} / ${x.counts.rejected}${x.lastError ? ` · ${x.lastError}` : ''}`).join('; ') : '–'],
  ];
  els.systemInfo.replaceChildren(...rows.flatMap(([k, v]) => [Object.assign(document.createElement('dt'), { textContent: k }), Object.assign(document.createElement('dd'), { textContent: v })]));
  els.modelList.replaceChildren(...h.models.map((m) => Object.assign(document.createElement('li'), { textContent: `${m.id} ${m.version} · ${m.provider} · ${m.precision}` })));
}

/** Fills the source selector; switching uses each driver's settings from the daemon's config. */
async function showSources(els: Elements): Promise<void> {
  const r = await api.drivers();
  els.sourceDriver.replaceChildren(...r.drivers.map((d) => Object.assign(document.createElement('option'), { value: d, textContent: d, selected: d === r.current })));
}

/** Source, provider, uptime, disk, sync queue and models; switching the capture source. */
export const systemScreen: Screen = {
  id: 'system',
  labelKey: 'system',
  section: () => document.getElementById('view-system')!,
  async open(els: Elements): Promise<void> {
    await Promise.all([showSystem(els), showSources(els)]);
  },
  setup(els: Elements): void {
    els.sourceApply.addEventListener('click', () => {
      els.sourceMessage.textContent = '…';
      api.switchSource(els.sourceDriver.value).then(
        (j) => {
          els.sourceMessage.textContent = `${j.driver} · ${j.state}`;
          void showSystem(els).catch(() => undefined);
        },
        (err: Error) => (els.sourceMessage.textContent = err.message),
      );
    });
  },
};
