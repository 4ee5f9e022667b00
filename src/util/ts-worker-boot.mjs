// Development/test entry of worker threads: registers tsx in this thread, then loads the TypeScript
// module named in workerData.__entry. Production starts the compiled .js modules directly.
import { workerData } from 'node:worker_threads';
const { register } = await import('tsx/esm/api');
register();
await import(workerData.__entry);
