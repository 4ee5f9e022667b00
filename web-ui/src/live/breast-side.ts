/**
 * Which breast is being scanned (src/protocol/laterality.ts): in a breast exam the panel shows a Left / Right
 * toggle (two large buttons for a gloved finger) and the frame a badge with the side, and every capture saved
 * carries the side chosen when it was saved. There is no default side: until one is tapped the badge says
 * "SIDE?" and Confirm refuses to save (a wrong side is worse than a second tap). The side stays chosen for the
 * exam (the sonographer scans one breast, then the other), is kept across the start of an exam when chosen
 * before it, and is forgotten when another exam opens (another patient) or the page reloads.
 */
import { type BreastSide, type ExamType, SIDED_EXAM_TYPES } from '../../../src/protocol/index.js';
import type { Key } from '../i18n';
import { t } from '../i18n';
import type { LiveContext } from './context';

interface Chosen {
  side: BreastSide | undefined;
  /** the exam it was chosen in; undefined: chosen with no exam open (the next exam takes it) */
  examId: string | undefined;
}
const chosen: Chosen = { side: undefined, examId: undefined };

const BADGE: Record<BreastSide | 'none', Key> = { left: 'sideBadgeLeft', right: 'sideBadgeRight', none: 'sideBadgeNone' };

/** The side chosen for the open exam (or, with none open, for the next one). */
export function currentSide(examId: string | undefined): BreastSide | undefined {
  if (examId !== undefined && chosen.examId !== undefined && chosen.examId !== examId) {
    chosen.side = undefined; // another exam (another patient): choose again
    chosen.examId = examId;
  } else if (examId !== undefined) chosen.examId = examId;
  return chosen.side;
}

/** Whether a capture of this exam type must name a side. */
export function sideRequired(examType: ExamType): boolean {
  return SIDED_EXAM_TYPES.has(examType);
}

export interface SideToggle {
  /** shows or hides the toggle and the badge for the exam type shown, with the side of the open exam */
  show(examType: ExamType, examId: string | undefined): void;
}

/** Builds the toggle (above Freeze) and the badge (top centre of the frame, clear of FROZEN and the state label); `changed` runs after a tap. */
export function wireSideToggle(c: LiveContext, changed: () => void): SideToggle {
  const { els } = c;
  const group = Object.assign(document.createElement('div'), { id: 'breast-side', hidden: true });
  group.setAttribute('role', 'group');
  group.style.cssText = 'display:flex;gap:0.5rem;align-items:center;grid-column:1 / -1;';
  const label = Object.assign(document.createElement('span'), { textContent: t('sideLabel') });
  label.dataset.i18n = 'sideLabel';
  const button = (side: BreastSide, key: Key): HTMLButtonElement => {
    const b = Object.assign(document.createElement('button'), { id: `side-${side}`, type: 'button', className: 'big', textContent: t(key) });
    b.dataset.i18n = key;
    b.style.flex = '1';
    b.addEventListener('click', () => {
      chosen.side = side;
      chosen.examId = c.state.exam?.id;
      paint();
      changed();
    });
    return b;
  };
  const left = button('left', 'sideLeft');
  const right = button('right', 'sideRight');
  group.append(label, left, right);
  // first in the Freeze / Confirm section: the side is chosen where the frame is saved, in view with Confirm
  const controls = els.freeze.parentElement!;
  controls.insertBefore(group, controls.firstChild);

  const badge = Object.assign(document.createElement('div'), { id: 'side-badge', hidden: true });
  badge.style.cssText = 'position:absolute;top:0.8rem;left:50%;transform:translateX(-50%);padding:0.3rem 0.8rem;border-radius:8px;font-weight:700;pointer-events:none;';
  els.frame.parentElement!.append(badge);

  let shownType: ExamType | undefined;
  function paint(): void {
    const on = shownType !== undefined && sideRequired(shownType);
    group.hidden = !on;
    group.style.display = on ? 'flex' : 'none';
    badge.hidden = !on;
    badge.style.display = on ? 'block' : 'none';
    const side = currentSide(c.state.exam?.id);
    for (const [b, s] of [
      [left, 'left'],
      [right, 'right'],
    ] as const) {
      b.setAttribute('aria-pressed', String(side === s));
      b.classList.toggle('primary', side === s);
    }
    const key = BADGE[side ?? 'none'];
    badge.dataset.i18n = key; // re-worded by applyI18n on a change of language
    badge.textContent = t(key);
    badge.style.background = side ? '#0e7490' : '#b45309';
  }
  return {
    show(examType, examId) {
      shownType = examType;
      currentSide(examId);
      paint();
    },
  };
}
