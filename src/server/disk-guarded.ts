import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { ErrorCodes, SonoError } from '../errors.js';
import type { GuardedWrite } from '../service/disk-guard.js';

/**
 * A route's preHandler that refuses a new exam or capture with SONO_DISK_LOW (507) below the disk guard's
 * refuse level, before anything is read from the database or written to it. Nothing happens where no guard is
 * wired (inject tests that build an app without one).
 */
export function diskGuarded(app: FastifyInstance, what: GuardedWrite): preHandlerHookHandler {
  return (_req, _reply, done) => {
    try {
      app.sono.disk?.assertCanWrite(what);
      done();
    } catch (err) {
      done(err as Error);
    }
  };
}

/**
 * The same refusal for a write to the records that grows them (a second reading, an adjudication, a signature,
 * a decision carrying an outline): below `refuseFreeMb` it answers 507 SONO_DISK_LOW with `details.what`, so
 * one client cannot spend the reserve the guard keeps. `refuses(req)` narrows it to the requests that grow the
 * records by more than a few bytes (a plain Confirm still works: it finishes work already begun).
 */
export function diskGuardedRecord<R extends FastifyRequest>(app: FastifyInstance, what: string, refuses: (req: R) => boolean = () => true): preHandlerHookHandler {
  return (req, _reply, done) => {
    const guard = app.sono.disk;
    if (!guard || !refuses(req as R)) return done();
    const s = guard.check();
    if (s.level !== 'refuse') return done();
    done(
      new SonoError(
        ErrorCodes.DISK_LOW,
        `Disk almost full: ${s.freeMb ?? '?'} MiB free on ${s.path}, below the ${s.refuseFreeMb} MiB kept in reserve, so no ${what} is stored. Free space (exams already sent to the PACS can be removed, or back up and clear old data), then try again`,
        { details: { freeMb: s.freeMb ?? null, refuseFreeMb: s.refuseFreeMb, what } },
      ),
    );
  };
}
