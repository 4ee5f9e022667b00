/**
 * The cine clips saved to an exam (issue 18), in its record: how many frames, how long, which frames. Read
 * from GET /api/exams/:id/clips once the record opens; the list fills in when the answer comes.
 */
import { request } from '../../api';
import { t } from '../../i18n';
import { failureText } from '../../live/action-message';
import { formatDate, formatNumber } from '../../live/format';
import { fill } from '../../live/strings';
import { timeOf } from './exam-text';

interface ClipSummary {
  id: string;
  createdAt: string;
  frameCount: number;
  durationMs: number;
  firstSeq: number;
  lastSeq: number;
}

/** The record's clips section; empty (no heading) for an exam without clips. */
export function clipRows(examId: string): HTMLElement {
  const box = Object.assign(document.createElement('div'), { id: 'record-clips' });
  request<ClipSummary[]>('GET', `/api/exams/${encodeURIComponent(examId)}/clips`).then(
    (clips) => {
      if (!clips.length) return;
      const ul = document.createElement('ul');
      for (const c of clips) {
        const li = Object.assign(document.createElement('li'), {
          textContent: `${formatDate(c.createdAt)} ${timeOf(c.createdAt)} · ${fill(t('clipLine'), { n: String(c.frameCount), s: formatNumber(c.durationMs / 1000, 1), first: String(c.firstSeq), last: String(c.lastSeq) })}`,
        });
        li.dataset.clipId = c.id;
        ul.append(li);
      }
      box.append(Object.assign(document.createElement('h3'), { textContent: t('clipsHeading') }), ul);
    },
    // the record stands without its clips: say the list could not be read, in place
    (err: unknown) => box.append(Object.assign(document.createElement('p'), { className: 'error', textContent: failureText(err) })),
  );
  return box;
}
