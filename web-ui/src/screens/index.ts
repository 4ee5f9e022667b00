/**
 * The page's screens, in tab order. Each is one module (screens/*.ts); this file builds the tabs from the
 * list and shows one screen at a time.
 */
import { type Role, roleSees } from '../access/access-api';
import type { Elements } from '../dom/elements';
import { t } from '../i18n';
import { auditScreen } from './audit';
import { examsScreen } from './exams/index';
import { growthScreen } from './growth/index';
import { modelsScreen } from './models/index';
import { regionScreen } from './region/index';
import { systemScreen } from './system/index';
import { tokensScreen } from './tokens';
import type { Screen } from './types';
import { usersScreen } from './users';

const liveScreen: Screen = { id: 'live', labelKey: 'liveTab', section: () => document.getElementById('view-live')! };

export const screens: readonly Screen[] = [liveScreen, examsScreen, growthScreen, systemScreen, modelsScreen, regionScreen, usersScreen, tokensScreen, auditScreen];

/** The tabs after sign-in: `showFor` shows the tabs the role may open; `open` opens one (by screen id). */
export interface Tabs {
  showFor(role: Role): void;
  open(id: string): void;
}

/** Builds one tab per screen; opening a tab shows its section alone and runs its `open`. */
export function wireScreens(els: Elements, list: readonly Screen[], onError: (message: string) => void): Tabs {
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
  return {
    // a clinician does not see the technician's or the administrator's screens (the server refuses them anyway)
    showFor: (role) => list.forEach((s, i) => (tabs[i]!.hidden = !roleSees(role, s.access ?? 'signed-in'))),
    open: (id) => tabs[list.findIndex((s) => s.id === id)]?.click(),
  };
}
