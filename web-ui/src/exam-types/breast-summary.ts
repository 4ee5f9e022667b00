/**
 * The lesion summary in the page's language. English is the daemon's own sentence (src/analysis/breast-lesion.ts);
 * other languages are composed here from the same result fields and flags, with the same rules: suspicious
 * features first (the alert flag's words), else the lesion's size, orientation and margin (not judged when
 * the outline is uncertain) and the AI malignancy probability; always the decision-support note.
 */
import type { BreastLesionResult } from '../../../src/protocol/index.js';
import { categoryKey, currentLang, flagMessage, t } from '../i18n';
import { formatNumber, formatPercent } from '../live/format';
import { fill } from '../live/strings';

export function breastSummary(res: BreastLesionResult): string {
  if (currentLang() === 'en') return res.summary;
  const suspicious = res.flags.find((f) => f.code === 'suspicious-features');
  const l = res.lesion;
  let text: string;
  if (suspicious) text = flagMessage(suspicious.code, suspicious.message);
  else if (l) {
    const judged = !res.flags.some((f) => f.code === 'unsure-outline');
    text = fill(t('breastSummaryLesion'), {
      max: formatNumber(l.maxDiameter, 1),
      perp: formatNumber(l.perpendicularDiameter, 1),
      unit: l.units,
      orientation: t(l.orientation.tallerThanWide ? 'taller' : 'wider'),
      margin: judged ? fill(t('marginIs'), { margin: t(categoryKey[l.margin.assessment]) }) : t('marginNotJudged'),
      p: formatPercent(res.malignancyProbability),
    });
  } else text = t('noLesionOutlined');
  if (res.class === null) text += ` ${t('noClassGiven')}`; // withheld (blank or colour Doppler frame)
  return `${text} ${t('aiSupportNote')}`;
}
