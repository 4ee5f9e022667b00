/**
 * Per model: what serves and why, the installed versions, the health window of the last activation (an
 * automatic rollback said plainly), a rollback button, and the history — who installed what and when.
 */
import { h, when } from '../system/dom';
import { type ModelEntry, techApi } from '../system/api';
import { st } from '../system/text';

function healthLine(m: ModelEntry): string {
  const w = m.health;
  if (!w) return '–';
  const auto = w.state === 'failed' || m.history.some((e) => e.event.includes('rollback') && e.by === 'health-window') ? ` · ${st('autoRollback')}` : '';
  return `${w.version}: ${w.state} (${w.seen}/${w.of}, errors ${w.errors}, slow ${w.slow}, insane ${w.insane})${w.reason ? ` · ${w.reason}` : ''}${auto}`;
}

function historyTable(m: ModelEntry): HTMLElement {
  const rows = [...m.history].reverse().map((e) => h('tr', { className: `event-${e.event}` },
    h('td', { textContent: when(e.at, '') }), h('td', { textContent: e.event }), h('td', { textContent: e.version ?? '' }), h('td', { textContent: e.by }), h('td', { textContent: e.detail ?? '' })));
  return h('table', { className: 'model-history' }, h('caption', { textContent: st('history') }), h('tbody', {}, ...rows));
}

/** One model's card; `changed` is called after a rollback so the page reloads what it shows. */
export function modelCard(m: ModelEntry, changed: (message: string, ok: boolean) => void): HTMLElement {
  const serving = 'error' in m.active ? m.active.error : st('serving', { version: m.active.version, why: m.active.why });
  const installed = m.installed.map((v) => `${v.version}${v.active ? ' ✓' : ''}${v.version === m.bundled ? ` (${st('bundled')})` : ''}`).join(', ');
  const back = h('button', { className: 'big rollback', textContent: st('rollback') });
  back.addEventListener('click', () => {
    back.disabled = true;
    techApi.rollback(m.id).then(
      (r) => changed(st('rolledBack', r), true),
      (err: Error) => changed(err.message, false),
    ).finally(() => (back.disabled = false));
  });
  const card = h('article', { className: 'model-card' },
    h('h3', { textContent: m.id }),
    h('dl', {}, h('dt', { textContent: st('activeLabel') }), h('dd', { className: 'serving', textContent: serving }),
      h('dt', { textContent: st('installedVersions') }), h('dd', { textContent: installed || '–' }),
      h('dt', { textContent: st('healthWindow') }), h('dd', { className: 'health', textContent: healthLine(m) })),
    back, historyTable(m));
  card.dataset.model = m.id;
  return card;
}
