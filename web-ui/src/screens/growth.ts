import { api } from '../api';
import type { Elements } from '../dom/elements';
import { drawGrowthChart } from '../growth-chart';
import { flagMessage, t } from '../i18n';
import type { Screen } from './types';

/** The growth chart of the newest exam's patient. */
export const growthScreen: Screen = {
  id: 'growth',
  labelKey: 'growth',
  access: 'clinician',
  section: () => document.getElementById('view-growth')!,
  async open(els: Elements): Promise<void> {
    const id = (await api.listExams()).find((r) => r.patient?.id)?.id;
    const g = id ? await api.growth(id) : { points: [], flags: [] };
    els.growthNote.textContent = g.points.length ? '' : t('noGrowth');
    drawGrowthChart(els.growthChart, g.points, { x: t('gaAxis'), y: t('hcAxis') });
    els.growthFlags.replaceChildren(...g.flags.map((f) => Object.assign(document.createElement('li'), { textContent: flagMessage(f.code, f.message), className: 'alert' })));
  },
};
