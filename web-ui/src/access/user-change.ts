/**
 * Another user signed in on this page than the one before (Switch user, or a lock and someone else's sign-in).
 * The page's state stays for the next user on purpose (curtain.ts), but work the previous user left unsaved is
 * not the next one's: the live view registers what to drop (patient-form/index.ts: live/unsaved-work.ts).
 */
type Listener = (from: string, to: string) => void;

const listeners: Listener[] = [];

export const userChange = {
  on(listener: Listener): void {
    listeners.push(listener);
  },
  /** `to` signed in where `from` was the last user signed in on this page */
  changed(from: string, to: string): void {
    for (const l of listeners) l(from, to);
  },
};
