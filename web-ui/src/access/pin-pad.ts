/**
 * A number pad for gloved fingers: 3 × 4 keys of at least 72 px, the digits kept in memory only (no input
 * element, so no on-screen keyboard pops up and nothing is autofilled), shown as dots.
 */
import { t } from '../i18n';

export interface PinPad {
  readonly element: HTMLElement;
  value(): string;
  reset(): void;
}

const MAX_DIGITS = 12;

export function createPinPad(onChange: () => void): PinPad {
  let digits = '';
  const dots = Object.assign(document.createElement('div'), { id: 'pin-dots', className: 'pin-dots' });
  dots.setAttribute('aria-live', 'polite');
  const pad = Object.assign(document.createElement('div'), { id: 'pin-pad', className: 'pin-pad' });
  const paint = (): void => {
    dots.textContent = '●'.repeat(digits.length) || '–';
    dots.dataset.count = String(digits.length);
  };
  const show = (): void => {
    paint();
    onChange();
  };
  const key = (label: string, i18n: 'clear' | 'erase' | undefined, press: () => void, digit?: string): HTMLButtonElement => {
    const b = Object.assign(document.createElement('button'), { type: 'button', className: 'pin-key', textContent: i18n ? t(i18n) : label });
    if (i18n) b.dataset.i18n = i18n;
    if (digit !== undefined) b.dataset.digit = digit;
    b.addEventListener('click', () => {
      press();
      show();
    });
    return b;
  };
  for (const d of ['1', '2', '3', '4', '5', '6', '7', '8', '9']) pad.append(key(d, undefined, () => (digits = (digits + d).slice(0, MAX_DIGITS)), d));
  pad.append(
    key('', 'clear', () => (digits = '')),
    key('0', undefined, () => (digits = (digits + '0').slice(0, MAX_DIGITS)), '0'),
    key('', 'erase', () => (digits = digits.slice(0, -1))),
  );
  const element = document.createElement('div');
  element.append(dots, pad);
  paint();
  return {
    element,
    value: () => digits,
    reset: () => {
      digits = '';
      show();
    },
  };
}
