/**
 * The answer to a live action (Confirm, freeze, calibration, calipers), shown beside the action buttons in
 * the success or error colour, not at the far end of the panel. Its box has a fixed height: a message
 * arriving never moves the buttons under a finger (README: the panel never moves under a finger).
 */
import { ApiError } from '../api';
import { t } from '../i18n';

export type Tone = 'ok' | 'error' | 'info';

/** The message line, made once and put right under the Confirm row. */
export function actionMessageElement(controls: HTMLElement, after: HTMLElement): HTMLElement {
  const existing = document.getElementById('action-message');
  if (existing) return existing;
  const p = Object.assign(document.createElement('p'), { id: 'action-message', className: 'action-message' });
  p.setAttribute('role', 'status');
  p.setAttribute('aria-live', 'polite');
  controls.insertBefore(p, after.nextElementSibling);
  return p;
}

export function showAction(el: HTMLElement, text: string, tone: Tone): void {
  el.textContent = text;
  el.className = `action-message ${text ? tone : ''}`.trim();
}

/**
 * What a failed request says to the person: the daemon's own message (it words schema failures itself:
 * src/server/validation-words.ts), never a raw validator path such as "body/value must be > 0".
 */
export function failureText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/^(body|querystring|params|headers)(\/|\.| )/i.test(msg) || /must (be|have|match|NOT)/.test(msg)) return t('requestRefused');
  if (err instanceof ApiError && err.status === 0) return t('deviceUnreachable');
  return msg;
}
