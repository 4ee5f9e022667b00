/**
 * Two-point calibration from the live page. On a source that declares its own pixel spacing with every frame,
 * the daemon keeps a calibration as an override of it (PUT /api/source/calibration): the person is asked first,
 * and override is sent only when they say yes. What the source declares is read first (GET
 * /api/source/calibration); a source declaring none is calibrated with override: false, which the daemon
 * refuses (SONO_CALIBRATION_INVALID) should the source declare one by then: the page then asks too.
 */
import type { SpacingDto } from '../../../src/protocol/rest/index.js';
import { ApiError, api, request } from '../api';
import { t } from '../i18n';
import { formatNumber } from './format';

export interface TwoPoints {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  distanceMm: number;
}

type Spacing = { x: number; y: number };

/** saved: the daemon's answer; kept: the person chose to keep the source's own spacing (nothing sent). */
export type CalibrationOutcome = { kind: 'saved'; status: SpacingDto } | { kind: 'kept'; declared: Spacing };

/** A spacing in words, as the daemon words it (three decimals; two figures when x and y differ). */
export const mmPerPx = (s: Spacing): string => (s.x === s.y ? formatNumber(s.x, 3) : `${formatNumber(s.x, 3)} × ${formatNumber(s.y, 3)}`);

/** The question put before a declared spacing is replaced. */
export const replaceQuestion = (declared: Spacing): string => t('calReplaceDeclared').replace('{mm}', mmPerPx(declared));

/** What the current source declares with its frames (null: none, or no frame yet). */
const declaredNow = async (): Promise<Spacing | null> => (await request<SpacingDto>('GET', '/api/source/calibration')).sourceDeclares ?? null;

/** Calibrates the current source from two points; `ask` is called (and must say yes) before a declared spacing is replaced. */
export async function calibrateTwoPoints(points: TwoPoints, ask: (declared: Spacing) => boolean): Promise<CalibrationOutcome> {
  const replace = async (declared: Spacing): Promise<CalibrationOutcome> =>
    ask(declared) ? { kind: 'saved', status: await api.calibrate({ ...points, override: true }) } : { kind: 'kept', declared };
  const declared = await declaredNow();
  if (declared) return replace(declared);
  try {
    return { kind: 'saved', status: await api.calibrate({ ...points, override: false }) };
  } catch (err) {
    // refused: the points are wrong, or the source began declaring a spacing since (a switch): then ask
    if (!(err instanceof ApiError) || err.code !== 'SONO_CALIBRATION_INVALID') throw err;
    const now = await declaredNow().catch(() => null);
    if (!now) throw err;
    return replace(now);
  }
}
