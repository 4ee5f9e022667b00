/**
 * The clinician's own calipers on a capture (issue 18) as rows of its table in the exam record: no AI value,
 * the number the daemon recomputed from the points, "measured" and who measured it.
 */
import type { ManualMeasureDto } from '../../../../src/protocol/rest/index.js';
import { currentLang } from '../../i18n';
import { withUnit } from '../../live/format';

const WORDS = {
  en: { distance: 'Distance (clinician)', area: 'Area (clinician)', measured: 'measured' },
  fr: { distance: 'Distance (clinicien)', area: 'Surface (clinicien)', measured: 'mesurée' },
} as const;

export function appendManualRows(body: HTMLTableSectionElement, list: readonly ManualMeasureDto[] | undefined): void {
  const w = WORDS[currentLang() === 'fr' ? 'fr' : 'en'];
  for (const m of list ?? []) {
    const row = body.insertRow();
    row.dataset.kind = `manual_${m.kind}`;
    const cells: Array<[string, string]> = [
      [`${w[m.kind]} ${m.kind === 'distance' ? 'D' : 'A'}${m.n}`, ''],
      ['–', ''],
      [withUnit(m.value, 1, m.unit), ''],
      [w.measured, 'state-manual'],
      [m.by ?? '', ''],
    ];
    row.append(...cells.map(([textContent, className]) => Object.assign(document.createElement('td'), { textContent, className })));
  }
}
