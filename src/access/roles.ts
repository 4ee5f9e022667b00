/**
 * Who may do what. Three roles, and five declarations a route can carry:
 *
 * | route declares | clinician | technician | admin | anonymous |
 * |----------------|-----------|------------|-------|-----------|
 * | public         | yes       | yes        | yes   | yes       |
 * | signed-in      | yes       | yes        | yes   | 401       |
 * | clinician      | yes       | 403        | yes   | 401       |
 * | technician     | 403       | yes        | yes   | 401       |
 * | admin          | 403       | 403        | yes   | 401       |
 *
 * admin does everything; clinician and technician are disjoint (a technician who services the probe does not
 * read patient records, a clinician does not rewire sources) and share only what every signed-in role gets:
 * the live view. Health and what the sign-in screen needs are public.
 *
 * What each role is for (the list; routes declare accordingly):
 * - clinician: scan, exams, captures, decisions, reports.
 * - technician: sources, drivers, calibration, models, settings, sync state, metrics.
 * - admin: accounts, tokens, audit; and everything above.
 */
export const ROLES = ['clinician', 'technician', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ACCESS_LEVELS = ['public', 'signed-in', 'clinician', 'technician', 'admin'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isAccess(value: unknown): value is Access {
  return typeof value === 'string' && (ACCESS_LEVELS as readonly string[]).includes(value);
}

/** Whether `role` (undefined: nobody signed in) may use a route that declares `access`. */
export function allows(role: Role | undefined, access: Access): boolean {
  if (access === 'public') return true;
  if (role === undefined) return false;
  if (role === 'admin' || access === 'signed-in') return true;
  return role === access;
}

/** What kind of secret a role signs in with: clinicians tap a PIN with gloves on, the others type a password. */
export function secretKindOf(role: Role): 'pin' | 'password' {
  return role === 'clinician' ? 'pin' : 'password';
}
