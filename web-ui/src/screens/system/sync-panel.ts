/**
 * Sync targets (state, last success, counts; refused items sent again on request; a removed target's unsent items
 * sent to a configured one or discarded) and the images the OCR gate holds, each with release as it
 * is or with the text it found blacked out (read again before it leaves).
 */
import type { SyncStateDto } from '../../../../src/protocol/rest/index.js';
import { h, when } from './dom';
import { techApi } from './api';
import { st } from './text';

type Item = SyncStateDto['items'][number];

/** A target's state and counts; with refused items, a button that sends them again (POST /api/sync/requeue). */
function targetRow(x: SyncStateDto['targets'][number], configured: string[], refresh: () => void): HTMLElement {
  const c = x.counts;
  const line = `${x.state} · ${st('lastSuccess', { at: when(x.lastSuccessAt, st('neverYet')) })} · ${st('counts', { pending: c.pending, sent: c.sent, rejected: c.rejected, held: c.held ?? 0 })}`;
  const extra: HTMLElement[] = x.lastError ? [h('div', { className: 'error', textContent: x.lastError })] : [];
  if (x.state === 'orphaned') extra.push(orphanActions(x, configured, refresh));
  else if (c.rejected > 0) {
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

/**
 * A target no longer in sync.targets with unsent items (state orphaned, its reason in lastError): send them to
 * a configured target, or discard them after a confirmation (POST /api/sync/orphans/requeue, /discard; audited).
 */
function orphanActions(x: SyncStateDto['targets'][number], configured: string[], refresh: () => void): HTMLElement {
  const msg = h('span', { className: 'orphan-message', role: 'status' });
  const to = h('select', { className: 'orphan-to' }, ...configured.map((n) => h('option', { value: n, textContent: n })));
  const send = h('button', { className: 'orphan-requeue', textContent: st('orphanSendTo') });
  const discard = h('button', { className: 'orphan-discard', textContent: st('orphanDiscard') });
  const unsent = x.counts.pending + x.counts.rejected + (x.counts.checking ?? 0) + (x.counts.held ?? 0);
  const go = (call: () => Promise<{ requeued: number; alreadyQueued: number; discarded: number }>) => (): void => {
    send.disabled = discard.disabled = true;
    call().then(
      (r) => {
        msg.textContent = st('orphanDone', { requeued: r.requeued, already: r.alreadyQueued, discarded: r.discarded });
        refresh();
      },
      (err: Error) => {
        msg.textContent = err.message;
        msg.className = 'orphan-message error';
        send.disabled = discard.disabled = false;
      },
    );
  };
  send.addEventListener(
    'click',
    go(() => techApi.orphanRequeue(x.name, to.value)),
  );
  discard.addEventListener('click', () => {
    if (window.confirm(st('orphanDiscardConfirm', { n: unsent, name: x.name }))) go(() => techApi.orphanDiscard(x.name))();
  });
  send.disabled = configured.length === 0;
  return h('div', { className: 'actions' }, send, to, discard, msg);
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
    const configured = s.targets.filter((t) => t.state !== 'orphaned').map((t) => t.name);
    this.#targets.replaceChildren(...(s.targets.length ? s.targets.map((t) => targetRow(t, configured, this.refresh)) : [h('li', { textContent: st('noTargets') })]));
    // a held row being acted on is kept as it is until the next refresh after its answer
    if (this.#held.querySelector('.held-message:not(:empty)')?.textContent === '…') return;
    const held = s.items.filter((i) => i.state === 'held');
    this.#held.replaceChildren(...(held.length ? held.map((i) => heldRow(i, this.refresh)) : [h('li', { textContent: st('noHeld') })]));
  }
}
