import { Worker } from 'node:worker_threads';

/**
 * Starts the worker module `name` that sits beside `from` (an import.meta.url): the compiled .js in
 * production, or the .ts source through tsx when running from sources (tests, bench).
 */
export function startWorker(from: string, name: string, workerData: Record<string, unknown> = {}): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, from), { workerData });
  const entry = new URL(`./${name}.ts`, from).href;
  return new Worker(new URL('./ts-worker-boot.mjs', import.meta.url), { workerData: { ...workerData, __entry: entry } });
}
