/**
 * The composition root's one call for access: refuses an insecure bind first (before anything opens), makes or
 * reads the TLS certificate, and opens the access services over the records database.
 *
 *   const access = setUpAccess({ config, baseDir: loaded.baseDir, dataDir, db, deviceSecret });
 *   Fastify({ https: access.https, requestTimeout: config.server.requestTimeoutMs, … })
 *   await app.register(accessPlugin, accessPluginOptions(access.services, config.server, { secure: access.secure }))
 */
import type { Config } from '../config/schema.js';
import type { Db } from '../records/database.js';
import { type AccessServices, openAccess } from './access.js';
import { type HttpsOptions, checkBindSecurity, httpsOptionsFor } from './tls.js';

export interface AccessSetup {
  services: AccessServices;
  /** fastify's `https` option; undefined for plain HTTP. */
  https: HttpsOptions | undefined;
  secure: boolean;
}

export function setUpAccess(o: { config: Pick<Config, 'server' | 'access'>; baseDir: string; dataDir: string; db: Db; deviceSecret: string }): AccessSetup {
  checkBindSecurity(o.config.server);
  const https = httpsOptionsFor(o.config.server, o.dataDir, o.baseDir);
  return { services: openAccess(o.db, o.deviceSecret, o.config.access), https, secure: https !== undefined };
}
