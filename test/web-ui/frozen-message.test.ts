/**
 * The line under a frozen frame (web-ui/src/live/frozen-message.ts, used by review.ts showFrozen). A frame whose
 * result had nothing to review (no head found) used to get no line at all, beside a disabled Confirm.
 */
import { describe, expect, it } from 'vitest';
import { frozenMessage } from '../../web-ui/src/live/frozen-message.js';
import { liveEn, liveFr } from '../../web-ui/src/live/strings.js';

const frame = { saved: false, hasResult: true, reviewable: false, cineHasReviewable: true, cineHasResult: true };

describe('frozenMessage', () => {
  it('a frame with a result but nothing to review says so and points to Best frame when another frame has something', () => {
    const key = frozenMessage(frame);
    expect(key).toBe('nothingToReviewOnFrame');
    expect(liveEn[key!]).toMatch(/Best frame/);
    expect(liveFr[key!]).toMatch(/Meilleure image/);
  });

  it('no line on a frame with something to review; saved wins over everything', () => {
    expect(frozenMessage({ ...frame, reviewable: true })).toBeUndefined();
    expect(frozenMessage({ ...frame, reviewable: true, saved: true })).toBe('alreadySaved');
    expect(frozenMessage({ ...frame, saved: true, cineHasReviewable: false })).toBe('alreadySaved');
  });

  it('a frame without a result, and a cine without any result, keep their own lines', () => {
    expect(frozenMessage({ ...frame, hasResult: false })).toBe('noResultOnFrame');
    expect(frozenMessage({ ...frame, hasResult: false, cineHasReviewable: false, cineHasResult: false })).toBe('noResultInCine');
  });
});
