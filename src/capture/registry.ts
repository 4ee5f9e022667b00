import { ErrorCodes, SonoError } from '../errors.js';
import type { FrameSource, FrameSourceFactory, SourceContext } from './source.js';

/** Maps a driver name from config to its factory; an unknown name fails with the list of known ones. */
export class SourceRegistry {
  readonly #factories = new Map<string, FrameSourceFactory>();

  register(name: string, factory: FrameSourceFactory): this {
    if (this.#factories.has(name)) throw new Error(`Driver "${name}" is registered twice`);
    this.#factories.set(name, factory);
    return this;
  }

  names(): string[] {
    return [...this.#factories.keys()].sort();
  }

  create(name: string, settings: Record<string, unknown>, ctx: SourceContext): FrameSource {
    const factory = this.#factories.get(name);
    if (!factory) {
      throw new SonoError(
        ErrorCodes.SOURCE_UNKNOWN,
        `Unknown source driver "${name}"; supported drivers: ${this.names().join(', ')}`,
      );
    }
    return factory(settings, ctx);
  }
}
