/**
 * A canvas that takes its fingers itself (pointer events: handles, calipers, pinch, region drawing) also tells
 * the browser the touches are consumed. `touch-action: none` alone stops scrolling, but Chromium's gesture
 * detector still sees a quick drag as a fling; a tap that lands while that fling is "running" only cancels it
 * and its click is dropped (tap suppression). A clinician who drags a handle and at once taps Confirm lost the
 * tap: 19 of 20 in a bare page under CDP touch, and 2 CI runs in 2 on the review test. Cancelling touchstart and
 * touchmove here means no scroll gesture and so no fling is ever made from this element; pointer events still
 * arrive (they are dispatched before touch events), and nothing listens for a click on the canvas.
 */
export function holdTouches(el: HTMLElement): void {
  const consume = (ev: TouchEvent): void => {
    if (ev.cancelable) ev.preventDefault();
  };
  el.addEventListener('touchstart', consume, { passive: false });
  el.addEventListener('touchmove', consume, { passive: false });
}
