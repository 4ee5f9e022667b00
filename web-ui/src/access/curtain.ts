/**
 * Patient data out of the page while it is locked. Every screen section (`.view`: the live canvas, the
 * patient fields and exam summary, the exam list, the growth chart, the admin pages) and the tabs are taken
 * out of the document, not covered: nothing of them can be read, selected, inspected or screenshotted. The
 * element objects stay in memory with their state (an open exam, a frozen review, typed fields), so the
 * next user signs in on top and finds the exam view as it was; but when that is another user, the previous
 * one's unsaved edits and calipers are dropped first (user-change.ts), never left for the next one to confirm.
 */
export class Curtain {
  #parked: Array<{ el: Element; mark: Comment }> = [];

  get down(): boolean {
    return this.#parked.length > 0;
  }

  /** Takes the sections out (once; again is a no-op). */
  hide(): void {
    if (this.down) return;
    for (const el of document.querySelectorAll('.view, #tabs')) {
      const mark = document.createComment(' locked: patient data hidden ');
      el.replaceWith(mark);
      this.#parked.push({ el, mark });
    }
  }

  /** Puts them back where they were. */
  show(): void {
    for (const { el, mark } of this.#parked) mark.replaceWith(el);
    this.#parked = [];
  }
}
