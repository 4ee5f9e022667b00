/** What the access plugin adds to fastify's types: the route declaration, the signed-in principal, the services. */
import type { AccessServices } from '../../access/access.js';
import type { Access } from '../../access/roles.js';
import type { Principal } from '../../access/sessions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route (src/access/roles.ts); a route without it stops the server at start-up. */
    access?: Access;
  }
  interface FastifyRequest {
    /** The signed-in user or token behind this request; null on a public route called anonymously. */
    principal: Principal | null;
  }
  interface FastifyInstance {
    access: AccessServices;
    /**
     * Told when this daemon ends credentials (a user disabled, a new secret, a token revoked, a sign-out), so an
     * open live view checks its own at once instead of at its next 30 s check. The CLI, another process, is
     * not heard: its changes are seen at that check.
     */
    credentialsEnded: { listen(check: () => void): () => void; tell(): void };
  }
}

export {};
