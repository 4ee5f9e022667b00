/**
 * The contract between the daemon and its clients (the web UI, scripts): live WebSocket messages, the
 * binary frame header, exam types and tasks, lesion categories, flag codes, and (types only here) the
 * REST DTOs of ./rest. No Node imports: the browser bundles what it imports from here. The server
 * imports the REST schemas themselves from ./rest.
 */
export * from './exam-types.js';
export * from './flag-codes.js';
export * from './frame-header.js';
export * from './laterality.js';
export * from './lesion-categories.js';
export * from './live-messages.js';
export type { BreastLesionResult } from '../analysis/breast-lesion.js';
export type { FetalHeadResult } from '../analysis/fetal-head.js';
export type { Flag } from '../analysis/flags.js';
export type { Segment } from '../analysis/polygon.js';
export type { TaskResult } from '../analysis/task.js';
export type * from './rest/index.js';
