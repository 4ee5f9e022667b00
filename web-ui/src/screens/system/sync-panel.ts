/**
 * Sync targets (state, last success, counts; refused items sent again on request) and the images the OCR gate holds, each with release as it
 * is or with the text it found blacked out (read again before it leaves).
 */
import type { SyncStateDto } from '../../../../src/protocol/rest/index.js';
import { h, when } from './dom';
import { techApi } from './api';
import { st } from './text';

type Item = SyncStateDto['items'][number];

/** A target's state and counts; with refused items, a button that sends them again (POST /api/sync/requeue). */
function targetRow(x: SyncStateDto['targets'][number], refresh: () => void): HTMLElement {
  const c = x.counts;
  const line = `${x.state} · ${st('lastSuccess', { at: when(x.lastSuccessAt, st('neverYet')) })} · ${st('counts', { pending: c.pending, sent: c.sent, rejected: c.rejected, held: c.held ?? 0 })}`;
  const extra: HTMLElement[] = x.lastError ? [h('div', { className: 'error', textContent: x.lastError })] : [];
  if (c.rejected > 0) {
    const msg = h('span', { className: 'requeue-message', role: 'status' });
    const b = h('button', { className: 'requeue', textContent: st('requeue', { n: c.rejected }) });
    b.addEventListener('click', () => {
      b.disabled = true;
      techApi.requeue(x.name).then(
        (r) => {
          msg.textContent = st('requeued', { n: r.requeued });
          refresh();
        },
        (err: Error) => {
          msg.textContent = err.message;
          msg.className = 'requeue-message error';
          b.disabled = false;
        },
      );
    });
    extra.push(h('div', { className: 'actions' }, b, msg));
  }
  return h('li', { className: `target target-${x.state}` }, h('strong', { textContent: x.name }), ' ', line, ...extra);
}

/** One held image: why, the text read, and its release buttons. */
function heldRow(item: Item, refresh: () => void): HTMLElement {
  const msg = h('span', { className: 'held-message', role: 'status' });
  const act = (go: () => Promise<unknown>) => async (): Promise<void> => {
    msg.textContent = '…';
    try {
      await go();
      msg.textContent = st('released');
      msg.className = 'held-message ok';
      refresh();
    } catch (err) {
      msg.textContent = (err as Error).message;
      msg.className = 'held-message error';
    }
  };
  const r = item.reason;
  const buttons: HTMLElement[] = [];
  if (r?.code === 'SONO_BURNED_IN_TEXT') {
    const b = h('button', { className: 'big', textContent: st('release') });
    b.addEventListener(
      'click',
      act(() => techApi.releaseHeld(item.id)),
    );
    buttons.push(b);
  }
  if (r?.boxes?.length) {
    const b = h('button', { className: 'big', textContent: st('maskRelease') });
    b.addEventListener(
      'click',
      act(() => techApi.releaseHeld(item.id, r.boxes)),
    );
    buttons.push(b);
  }
  return h(
    'li',
    { className: 'held' },
    h('div', { textContent: `#${item.id} · ${item.target} · ${item.examId} · ${r?.code ?? ''}` }),
    h('div', { textContent: r?.message ?? '' }),
    ...(r?.text ? [h('div', { className: 'found-text', textContent: st('textFound', { text: r.text }) })] : []),
    h('div', { className: 'actions' }, ...buttons, msg),
  );
}

export class SyncPanel {
  readonly root = h('section', { className: 'sync-panel' });
  readonly #targets = h('ul', { className: 'targets' });
  readonly #held = h('ul', { className: 'held-list' });
  readonly #targetsTitle = h('h3');
  readonly #heldTitle = h('h3');

  constructor(private readonly refresh: () => void) {
    this.root.append(this.#targetsTitle, this.#targets, this.#heldTitle, this.#held);
  }

  show(s: SyncStateDto): void {
    this.#targetsTitle.textContent = st('syncTargets');
    this.#heldTitle.textContent = st('held');
    this.#targets.replaceChildren(...(s.targets.length ? s.targets.map((t) => targetRow(t, this.refresh)) : [h('li', { textContent: st('noTargets') })]));
    // a held row being acted on is kept as it is until the next refresh after its answer
    if (this.#held.querySelector('.held-message:not(:empty)')?.textContent === '…') return;
    const held = s.items.filter((i) => i.state === 'held');
    this.#held.replaceChildren(...(held.length ? held.map((i) => heldRow(i, this.refresh)) : [h('li', { textContent: st('noHeld') })]));
  }
}
