import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export interface ConfigWatcher {
  close(): void;
}

/**
 * Calls `onChange` once a config file has been quiet for `debounceMs` after a change: editors save in
 * several steps (truncate, write; or write a temp file and rename it over the old one), and one edit must
 * give one reload, of the finished file. The folder is watched rather than the file, because a rename
 * replaces the file's inode and a watch on the old one would go silent.
 */
export function watchConfigFile(file: string, onChange: () => void, options: { debounceMs?: number } = {}): ConfigWatcher {
  const abs = resolve(file);
  const name = basename(abs);
  const debounceMs = options.debounceMs ?? 300;
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(abs), { persistent: false }, (_event, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  watcher.on('error', () => {
    // the folder went away; SIGHUP still reloads
  });
  return {
    close(): void {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
