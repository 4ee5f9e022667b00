import { ErrorCodes, SonoError } from '../errors.js';
import type { NetworkPolicy } from './network-settings.js';
import type { FrameSource, FrameSourceFactory, SourceContext } from './source.js';

/**
 * Maps a driver name from config to its factory; an unknown name fails with the list of known ones.
 * A driver registered with a network policy may take settings from a network client (checked against
 * it by `checkNetworkSettings`); one registered without takes its settings from the config file only.
 */
export class SourceRegistry {
  readonly #factories = new Map<string, FrameSourceFactory>();
  readonly #policies = new Map<string, NetworkPolicy>();

  register(name: string, factory: FrameSourceFactory, network?: NetworkPolicy): this {
    if (this.#factories.has(name)) throw new Error(`Driver "${name}" is registered twice`);
    this.#factories.set(name, factory);
    if (network) this.#policies.set(name, network);
    return this;
  }

  names(): string[] {
    return [...this.#factories.keys()].sort();
  }

  /** What a network client may set for `name`; `undefined` for an unknown driver or one without a policy. */
  networkPolicy(name: string): NetworkPolicy | undefined {
    return this.#policies.get(name);
  }

  create(name: string, settings: Record<string, unknown>, ctx: SourceContext): FrameSource {
    const factory = this.#factories.get(name);
    if (!factory) {
      throw new SonoError(ErrorCodes.SOURCE_UNKNOWN, `Unknown source driver "${name}"; supported drivers: ${this.names().join(', ')}`);
    }
    return factory(settings, ctx);
  }
}
