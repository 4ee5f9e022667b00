/**
 * Calibrate is offered only to whom the daemon lets calibrate: a technician or an administrator (src/access/
 * roles.ts; PUT /api/source/calibration). A clinician was shown it, tapped two points and typed a distance, and
 * was then refused. The role is the signed-in session's (access/header.ts writes it on <body data-role>); a
 * sign-in as another user re-applies it.
 */
import type { Elements } from '../dom/elements';

const MAY_CALIBRATE: ReadonlySet<string> = new Set(['technician', 'admin']);

/** Whether the signed-in role may calibrate the source. */
export const mayCalibrate = (): boolean => MAY_CALIBRATE.has(document.body.dataset.role ?? '');

/** Shows Calibrate (and its distance row) only to a role that may calibrate, now and at every change of user. */
export function wireCalibrateRole(els: Pick<Elements, 'calibrate' | 'calRow'>): void {
  const apply = (): void => {
    els.calibrate.hidden = !mayCalibrate();
    if (els.calibrate.hidden) els.calRow.hidden = true;
  };
  apply();
  new MutationObserver(apply).observe(document.body, { attributes: true, attributeFilter: ['data-role'] });
}
