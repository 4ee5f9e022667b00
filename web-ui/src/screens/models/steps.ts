/**
 * The verification steps of a model install, in the order the installer runs them. While the package is
 * checked the next step is shown as running; the report then ticks each step done (✓) or refused (✗, with
 * its coded message), and the steps after a refusal stay not run.
 */
import { h } from '../system/dom';
import type { InstallReport } from '../system/api';
import type { Key } from '../../i18n';
import { st } from '../system/text';

export const STEPS = ['extract', 'signature', 'hashes', 'manifest', 'compatibility', 'load', 'testVectors', 'activate'] as const;
/** The report may name a step `test-vectors` or `testVectors`; both are one step here. */
const norm = (s: string): string => s.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
const label = (s: string): string => {
  const key = `step_${norm(s)}` as Key;
  return (STEPS as readonly string[]).includes(norm(s)) ? st(key) : s;
};

export type StepState = 'pending' | 'running' | 'ok' | 'failed' | 'skipped';

export class StepList {
  readonly root = h('ol', { className: 'install-steps' });

  /** All steps not run yet; the first `running`. */
  reset(running: boolean): void {
    this.root.replaceChildren(...STEPS.map((s, i) => this.#row(s, running && i === 0 ? 'running' : 'pending', '')));
  }

  /** Shows a report: each step's outcome as it ran, the refused one with its code and message. */
  show(report: InstallReport | undefined, refused?: { step: string | undefined; code: string; message: string }): void {
    const byStep = new Map((report?.steps ?? []).map((s) => [norm(s.step), s]));
    const failedStep = refused?.step ? norm(refused.step) : undefined;
    let after = false;
    this.root.replaceChildren(...STEPS.map((s) => {
      const r = byStep.get(s);
      if (s === failedStep) {
        after = true;
        return this.#row(s, 'failed', `${refused!.message} (${refused!.code})`);
      }
      if (r) return this.#row(s, r.ok ? 'ok' : 'failed', r.ok ? `${Math.round(r.ms)} ms${r.detail ? ` · ${r.detail}` : ''}` : `${r.detail ?? ''} (${r.code ?? ''})`);
      return this.#row(s, after || refused ? 'skipped' : report?.activated === false && s === 'activate' ? 'skipped' : 'pending', '');
    }));
  }

  #row(step: string, state: StepState, detail: string): HTMLElement {
    const mark = { pending: '○', running: '…', ok: '✓', failed: '✗', skipped: '–' }[state];
    const li = h('li', { className: `step step-${state}` }, h('span', { className: 'mark', textContent: mark }), h('span', { className: 'name', textContent: label(step) }),
      h('span', { className: 'detail', textContent: detail }));
    li.dataset.step = norm(step);
    return li;
  }
}
