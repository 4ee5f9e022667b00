/**
 * The PACS side of the kill campaign (campaign.ts with a sync target): a real Orthanc receives what the
 * daemon's sync process sends while the daemon is SIGKILLed again and again (the sync child is orphaned and
 * finishes its batch, the next daemon starts its own). After the last round the daemon runs undisturbed until
 * its outbox has drained; then every acknowledged close must have been queued, everything queued must be in
 * the PACS ("never" is a violation) and the PACS must hold nothing else (an instance sent under a second UID,
 * or the same exam exported twice, is the "twice" violation; Orthanc keeps one copy per SOP Instance UID).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '../../../src/errors.js';
import { openRecordsFile } from '../../../src/service/records-file.js';
import type { OrthancServer } from '../../helpers/orthanc.js';

/** The sync section of the campaign's config for this Orthanc: quick polls and retries, so kills land mid-send. */
export function syncConfig(pacs: OrthancServer): string {
  const i = pacs.info;
  return `sync:
  targets: [{ name: pacs, url: "${i.dicomWeb}", username: ${i.user}, password: "${i.password}" }]
  pollMs: 100
  retryInitialMs: 200
  retryMaxMs: 2000
  pauseBetweenBatchesMs: 0
  batchSize: 4
`;
}

function readDb<T>(dataDir: string, read: (db: ReturnType<typeof openRecordsFile>) => T): T {
  const key = readFileSync(join(dataDir, 'keys', 'records.key'), 'utf8').trim();
  const db = openRecordsFile(join(dataDir, 'records.db'), key, ErrorCodes.DATABASE_FAILED);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Rows sent so far (a round whose count grew had deliveries in flight when it was killed). */
export function sentCount(dataDir: string): number {
  try {
    return readDb(dataDir, (db) => (db.prepare("SELECT count(*) n FROM outbox WHERE state = 'sent'").get() as { n: number }).n);
  } catch {
    return 0;
  }
}

/** What still waits: pending rows, and images the OCR gate has not decided. */
export function backlog(dataDir: string): { pending: number; checking: number } {
  return readDb(dataDir, (db) => ({
    // a held image stays pending until a technician acts: not backlog
    pending: (
      db
        .prepare("SELECT count(*) n FROM outbox o WHERE o.state = 'pending' AND NOT EXISTS (SELECT 1 FROM outbox_gate g WHERE g.sop_instance_uid = o.sop_instance_uid AND g.state = 'held')")
        .get() as { n: number }
    ).n,
    checking: (db.prepare("SELECT count(*) n FROM outbox_gate WHERE state = 'checking'").get() as { n: number }).n,
  }));
}

/** SOP Instance UIDs Orthanc holds. */
async function pacsUids(pacs: OrthancServer): Promise<Set<string>> {
  const r = await fetch(pacs.info.root + '/tools/find', {
    method: 'POST',
    headers: { ...pacs.auth(), 'content-type': 'application/json' },
    body: JSON.stringify({ Level: 'Instance', Query: {}, Expand: true }),
  });
  const list = (await r.json()) as Array<{ MainDicomTags: { SOPInstanceUID: string } }>;
  return new Set(list.map((x) => x.MainDicomTags.SOPInstanceUID));
}

export interface SyncFigures {
  closedAcknowledged: number;
  queued: number;
  sent: number;
  held: number;
  inPacs: number;
  violations: string[];
}

/** After the drain: acknowledged closes queued, queued = sent = in the PACS, nothing extra there. */
export async function verifySync(dataDir: string, closed: ReadonlySet<string>, pacs: OrthancServer): Promise<SyncFigures> {
  const violations: string[] = [];
  const rows = readDb(dataDir, (db) => db.prepare("SELECT o.exam_id examId, o.sop_instance_uid uid, o.state, g.state gate FROM outbox o LEFT JOIN outbox_gate g ON g.sop_instance_uid = o.sop_instance_uid WHERE o.target = 'pacs'").all() as Array<{ examId: string; uid: string; state: string; gate: string | null }>);
  const examsQueued = new Set(rows.map((r) => r.examId));
  for (const id of closed) if (!examsQueued.has(id)) violations.push(`acknowledged close of exam ${id} was never queued for the PACS`);
  const held = rows.filter((r) => r.state === 'pending' && r.gate === 'held');
  for (const r of rows) {
    if (r.state === 'rejected') violations.push(`instance ${r.uid} of exam ${r.examId} was rejected by the PACS`);
    else if (r.state === 'pending' && r.gate !== 'held') violations.push(`instance ${r.uid} of exam ${r.examId} never reached the PACS (still pending after the drain)`);
  }
  const inPacs = await pacsUids(pacs);
  const sent = rows.filter((r) => r.state === 'sent');
  for (const r of sent) if (!inPacs.has(r.uid)) violations.push(`instance ${r.uid} of exam ${r.examId} is marked sent but the PACS does not have it`);
  const queuedUids = new Set(rows.map((r) => r.uid));
  for (const uid of inPacs) if (!queuedUids.has(uid)) violations.push(`the PACS holds ${uid}, which the device never queued (a second copy under another UID?)`);
  for (const r of held) if (inPacs.has(r.uid)) violations.push(`held instance ${r.uid} reached the PACS`);
  return { closedAcknowledged: closed.size, queued: rows.length, sent: sent.length, held: held.length, inPacs: inPacs.size, violations };
}
