import { api } from '../api';
import type { Elements } from '../dom/elements';
import { t } from '../i18n';
import type { Screen } from './types';

const cell = (text: string, cls = ''): HTMLTableCellElement => Object.assign(document.createElement('td'), { textContent: text, className: cls });

/** Every exam, newest first, with its sync state. */
export const examsScreen: Screen = {
  id: 'exams',
  labelKey: 'exams',
  access: 'clinician',
  section: () => document.getElementById('view-exams')!,
  async open(els: Elements): Promise<void> {
    const rows = await api.listExams();
    els.examRows.replaceChildren(
      ...rows.map((e) => {
        const tr = document.createElement('tr');
        tr.append(
          cell(new Date(e.createdAt).toLocaleString()),
          cell(e.anonymous ? t('anonymous') : (e.patient?.name ?? e.patient?.id ?? '')),
          cell(String(e.captureCount)),
          cell(e.sync, `sync-${e.sync}`),
        );
        return tr;
      }),
    );
  },
};
