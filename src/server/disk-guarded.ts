import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
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
