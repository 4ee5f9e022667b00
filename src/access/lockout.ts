/**
 * How long an account waits after failed sign-ins. A gloved finger mistypes: the first few failures cost
 * nothing; then the wait doubles (1 s, 2 s, 4 s, … up to 15 min) until a sign-in succeeds or an admin sets a
 * new secret. Only failures made after the previous wait has ended count: attempts refused during a wait are
 * audited but neither counted nor lengthen it (src/access/sign-in.ts says why). Whatever the waits, an account
 * never gets more than 100 failed attempts in any hour (ASVS 2.2.1), which keeps an online search of a 6-digit
 * PIN at ≥ 5 000 hours on average (10 000 to try them all).
 */
export const LOCKOUT = {
  freeFailures: 5,
  maxDelayMs: 15 * 60_000,
  hourlyCap: 100,
  hourMs: 3_600_000,
} as const;

/** The wait imposed after the `failuresInRow`-th consecutive failure. */
export function delayAfter(failuresInRow: number): number {
  if (failuresInRow <= LOCKOUT.freeFailures) return 0;
  return Math.min(1000 * 2 ** (failuresInRow - LOCKOUT.freeFailures - 1), LOCKOUT.maxDelayMs);
}
