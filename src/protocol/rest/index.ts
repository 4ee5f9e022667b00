/** REST DTOs: the server's routes validate and serialise with these; the UI imports their `Static` types. */
export * from './errors.js';
export * from './exams.js';
export * from './live.js';
export * from './results.js';
export * from './system.js';
export * from './access.js';
export * from './patients.js';
export * from './patient-checks.js';
export * from './manual-measures.js';
export * from './sync-requeue.js';
export * from './sync-orphans.js';
