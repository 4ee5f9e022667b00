import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { ModelSession } from '../inference/session.js';
import type { Bus } from '../pipeline/bus.js';
import type { Pipeline } from '../pipeline/pipeline.js';

/** The services the HTTP plugins read, passed in (never module globals). */
export interface Runtime {
  config: Config;
  bus: Bus;
  metrics: Registry;
  startedAt: number;
  /** Set once sessions are warm and the source is running. */
  state: { ready: boolean; startupError: string | undefined };
  sessions: ModelSession[];
  pipeline: Pipeline | undefined;
  /** Directory of the built web UI. */
  webUiDir: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    sono: Runtime;
  }
}
