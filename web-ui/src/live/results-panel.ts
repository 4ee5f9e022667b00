import type { ResultMessage } from '../../../src/protocol/index.js';
import type { Elements } from '../dom/elements';
import { flagMessage, t } from '../i18n';
import type { StateLabel } from './canvas-labels';
import { formatNumber } from './format';

/** The parts of a result every exam type shows alike: its flags, latency, provider and model. */
export function showResultCommon(els: Elements, r: ResultMessage): void {
  // alerts first: the findings box has a fixed height and scrolls, so what matters most is what it shows
  const flags = [...r.result.flags].sort((a, b) => Number(b.severity === 'alert') - Number(a.severity === 'alert'));
  els.flags.replaceChildren(...flags.map((f) => Object.assign(document.createElement('li'), { textContent: flagMessage(f.code, f.message), className: f.severity })));
  els.latency.textContent = `${t('latency')} ${formatNumber(r.timings.totalMs, 0)} ms`;
  els.provider.textContent = `${t('provider')} ${r.provider}`;
  els.model.textContent = `${r.modelId} ${r.modelVersion}`;
}

/**
 * Blanks what showResultCommon and the types' showResult wrote of a result: the flags, the quality and
 * confidence, the latency. A frame without a result of its own, or another exam type, shows none of another
 * frame's or type's (the provider and model stay: they say what runs, not what was found).
 */
export function clearResultCommon(els: Elements): void {
  els.flags.replaceChildren();
  els.quality.textContent = '–';
  els.latency.textContent = '–';
}

/** The state line under the panel's title: AI proposal, edited by you, saved, or nothing proposed. */
export function setStateLine(els: Elements, key: StateLabel): void {
  els.state.dataset.i18n = key;
  els.state.textContent = t(key);
  els.state.className = key === 'saved' ? 'saved' : 'unverified';
}
