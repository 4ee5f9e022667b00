import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

const TlsDto = T.Object({
  secure: T.Boolean({ description: 'Served over HTTPS' }),
  certificate: T.Union([T.String(), T.Null()], { description: 'SHA-256 fingerprint of the certificate served (AA:BB:… form)' }),
  ca: T.Union([T.String(), T.Null()], { description: 'SHA-256 fingerprint of the device CA to trust on a tablet ("self-signed" only)' }),
});

/**
 * GET /api/system/tls: the fingerprints a technician compares on a tablet before trusting the device's
 * certificate once (pairing); the System page shows them. Technician: nothing here is patient data, but it is
 * settings-page material, like the sources.
 */
const systemTls: FastifyPluginAsync = async (app) => {
  app.get(
    '/api/system/tls',
    {
      config: { access: 'technician' },
      schema: { tags: ['system'], summary: 'HTTPS certificate fingerprints, to pair a tablet', response: { 200: TlsDto } },
    },
    async () => {
      const f = app.sono.tlsFingerprints;
      return { secure: app.sono.access.secure, certificate: f?.certificate ?? null, ca: f?.ca ?? null };
    },
  );
};

export default fp(systemTls, { name: 'sonoedge-system-tls' });
