// Development/test entry of the inference worker: registers tsx in this thread, then loads the
// TypeScript source. Production runs the compiled dist/src/inference/session-worker.js directly.
const { register } = await import('tsx/esm/api');
register();
await import('./session-worker.ts');
