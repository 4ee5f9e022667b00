/**
 * The technician routes the System, Models and Region screens call, through the page's one client
 * (`request` in api.ts: every failure an ApiError with the server's message and code).
 */
import { request } from '../../api';
import type { RequeueDto, SourceStateDto, SpacingDto } from '../../../../src/protocol/rest/index.js';
import type { RegionBody, RegionStateDto } from '../../../../src/protocol/rest/region.js';
import type { BackupDoneDto, BackupTargetsDto } from '../../../../src/protocol/rest/backup.js';
import type { OrphanResultDto } from '../../../../src/protocol/rest/sync-orphans.js';

/** GET /api/system/tls (fingerprints for pairing a tablet). */
export interface TlsDto {
  secure: boolean;
  certificate: string | null;
  ca: string | null;
}

/** A model install's report (the models plugin's InstallReportDto; the installer's steps, src/protocol). */
export type { InstallReport } from '../../../../src/protocol/install-report.js';
export interface ModelEvent {
  at: string;
  event: string;
  version: string | null;
  by: string;
  detail?: string;
}
export interface ModelHealth {
  state: string;
  id: string;
  version: string;
  seen: number;
  of: number;
  errors: number;
  slow: number;
  insane: number;
  reason?: string;
}
/** GET /api/models: one entry per model (the models plugin's ModelsDto). */
export interface ModelEntry {
  id: string;
  active: { version: string; source: string; why: string } | { error: string };
  bundled: string | null;
  installed: Array<{ version: string; active: boolean }>;
  history: ModelEvent[];
  health: ModelHealth | null;
}

const q = encodeURIComponent;

export const techApi = {
  tls: () => request<TlsDto>('GET', '/api/system/tls'),
  calibration: () => request<SpacingDto>('GET', '/api/source/calibration'),
  /** Switches the source with settings the driver's network allow-list takes (paths under media.folders). */
  switchSource: (driver: string, settings: Record<string, unknown> | undefined) => request<SourceStateDto>('PUT', '/api/source', { json: settings ? { driver, settings } : { driver } }),
  releaseHeld: (id: number, mask?: Array<{ x: number; y: number; width: number; height: number }>) =>
    request<{ sopInstanceUid: string; state: string }>('POST', `/api/sync/items/${id}/release`, { json: mask ? { mask } : {} }),
  /** Puts the target's refused items back in the queue. */
  requeue: (target: string) => request<RequeueDto>('POST', '/api/sync/requeue', { json: { target } }),
  /** A removed target's unsent items: sent to a configured target instead, or discarded (src/sync/orphans.ts). */
  orphanRequeue: (from: string, to: string) => request<OrphanResultDto>('POST', '/api/sync/orphans/requeue', { json: { from, to } }),
  orphanDiscard: (from: string) => request<OrphanResultDto>('POST', '/api/sync/orphans/discard', { json: { from } }),
  models: () => request<{ models: ModelEntry[] }>('GET', '/api/models'),
  rollback: (id: string) => request<{ id: string; from: string; to: string }>('POST', `/api/models/${q(id)}/rollback`, { json: {} }),
  region: () => request<RegionStateDto>('GET', '/api/source/region'),
  setRegion: (body: RegionBody) => request<RegionStateDto>('PUT', '/api/source/region', { json: body }),
  /** Mounted USB sticks a backup can go to, and the size of the records. */
  backupTargets: () => request<BackupTargetsDto>('GET', '/api/system/backup'),
  backup: (to: string) => request<BackupDoneDto>('POST', '/api/system/backup', { json: { to } }),
};
