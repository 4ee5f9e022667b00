/**
 * The browser tests run the page's test build (web-ui/dist-test: the production page plus the test hooks
 * of web-ui/src/test-hooks.ts, `vite build --mode test`), never the production bundle, which has no hooks.
 * The daemon under test serves it at / (`startTestDaemon(…, { webUiDir: TEST_BUILD })`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

const root = packageRoot();
export const TEST_BUILD = join(root, 'web-ui', 'dist-test');
/** Daemon options that serve the test build. */
export const testUi = { webUiDir: TEST_BUILD } as const;
const SOURCES = [join(root, 'web-ui', 'src'), join(root, 'web-ui', 'index.html'), join(root, 'web-ui', 'public'), join(root, 'web-ui', 'vite.config.ts'), join(root, 'src', 'protocol'), join(root, 'src', 'analysis')];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  return s.isDirectory() ? Math.max(s.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n)))) : s.mtimeMs;
}

/** Builds web-ui/dist-test when it is missing or older than any of its sources (a few seconds). */
export function ensureTestBuild(): void {
  const index = join(TEST_BUILD, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...SOURCES.map(newest))) return;
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web-ui', '--mode', 'test', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
