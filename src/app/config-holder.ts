import type { Config } from '../config/schema.js';

/**
 * The config in force. The daemon starts with the loaded file; a config reload (reload.ts) is the only
 * writer and replaces the whole object, never a field of it, so a reader holding the old object keeps a
 * consistent one and every new read sees the new one. Consumers get `current` (Runtime.config reads it).
 */
export class ConfigHolder {
  #current: Config;

  constructor(initial: Config) {
    this.#current = initial;
  }

  current(): Config {
    return this.#current;
  }

  replace(next: Config): void {
    this.#current = next;
  }
}
