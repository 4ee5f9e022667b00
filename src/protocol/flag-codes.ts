/**
 * Every decision-support flag code the daemon sends (`flags[].code` in results and growth): stable for
 * software; the English sentence travels with the flag, other languages translate by code (the page's
 * French table is typed by this list, so a new code without a translation fails the UI's typecheck).
 */
export const FLAG_CODES = [
  // fetal head and growth
  'no-head',
  'blank-image',
  'head-cut',
  'poor-fit',
  'low-confidence',
  'implausible-shape',
  'no-pixel-spacing',
  'ga-out-of-range',
  'no-centile',
  'hc-implausible-for-ga',
  'hc-below-p3',
  'hc-above-p97',
  'input-16-bit',
  'colour-input',
  'hc-centile-falling',
  'hc-crossed-below-p10',
  // any frame
  'not-ultrasound',
  // breast lesion
  'no-lesion',
  'lesion-cut',
  'class-mask-disagree',
  'colour-doppler',
  'tiny-image',
  'suspicious-features',
  'other-regions',
  'unsure-outline',
] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

export const FLAG_SEVERITIES = ['info', 'warning', 'alert'] as const;
export type FlagSeverity = (typeof FLAG_SEVERITIES)[number];

export function isFlagCode(v: string): v is FlagCode {
  return (FLAG_CODES as readonly string[]).includes(v);
}
