/**
 * The page's screens, in tab order. Each is one module (screens/*.ts); this file builds the tabs from the
 * list and shows one screen at a time.
 */
import type { Elements } from '../dom/elements';
import { t } from '../i18n';
import { examsScreen } from './exams';
import { growthScreen } from './growth';
import { modelsScreen } from './models/index';
import { regionScreen } from './region/index';
import { systemScreen } from './system/index';
import type { Screen } from './types';

const liveScreen: Screen = { id: 'live', labelKey: 'liveTab', section: () => document.getElementById('view-live')! };

export const screens: readonly Screen[] = [liveScreen, examsScreen, growthScreen, systemScreen, modelsScreen, regionScreen];

/** Builds one tab per screen; opening a tab shows its section alone and runs its `open`. */
export function wireScreens(els: Elements, list: readonly Screen[], onError: (message: string) => void): void {
  const tabs = list.map((s) => Object.assign(document.createElement('button'), { className: 'tab', textContent: t(s.labelKey) }));
  list.forEach((s, i) => {
    const tab = tabs[i]!;
    tab.dataset.view = s.id;
    tab.dataset.i18n = s.labelKey;
    s.setup?.(els);
    tab.addEventListener('click', () => {
      tabs.forEach((x) => x.classList.toggle('active', x === tab));
      list.forEach((x) => (x.section(els).hidden = x !== s));
      s.open?.(els).catch((err: Error) => onError(err.message));
    });
  });
  tabs[0]?.classList.add('active');
  els.tabs.replaceChildren(...tabs);
}
