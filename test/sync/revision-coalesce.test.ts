/**
 * What a real Orthanc receives for one exam is one truthful record, not a pile of revisions
 * (src/sync/revision-coalesce.ts). Through the daemon's sync wiring and its real sync process:
 *  - 4 decisions after closing in a burst, then the signature: the PACS holds revision 0 and the signed
 *    revision, 4 SRs, where it held 12 (every amendment sent as its own TID 1500 + TID 5000 pair); the signed
 *    one names revision 0 (what the PACS has) as its predecessor and repeats each replaced revision's comment;
 *  - a revision already sent stays, and the next one names it: superseded, never a fork or a dangling reference.
 */
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { wireSync } from '../../src/app/sync-wiring.js';
import { loadConfig } from '../../src/config/load.js';
import { type Db, loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { decideMeasurement } from '../../src/records/late-decision.js';
import { SignatureStore, checkSignable } from '../../src/records/signatures.js';
import { type Dataset, readPart10 } from '../../src/sync/dicom-file.js';
import { sentRevisionUids } from '../../src/sync/revision-coalesce.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { OrthancServer, orthancAvailable } from '../helpers/orthanc.js';
import { tempDir } from '../helpers/tmp.js';

const SECRET = 'coalesce-secret';
const W = 160;
const H = 120;

async function until<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Two captures, HC and GA decided before closing: BPD and OFD of each (4) are left for after closing. */
function closedExam(store: ExamStore, onClosed: Parameters<ExamStore['closeExam']>[2], name: string): { examId: string; undecided: string[] } {
  const exam = store.createExam({ patient: { name, id: `ID-${name}`, birthDate: '19900214', sex: 'F' }, datingGaWeeks: 21 });
  for (let i = 0; i < 2; i++) {
    const px = Uint8Array.from({ length: W * H }, (_, j) => ((j * 7 + i * 13) % 200) + 20);
    const cap = store.addCapture(
      exam.id,
      {
        frameSeq: i,
        width: W,
        height: H,
        channels: 1,
        pixels: px,
        pixelSpacing: { x: 0.3, y: 0.3 },
        // no region: the images are held on the device (no OCR run needed); the reports go
        region: { x: 0, y: 0, width: W, height: H },
        results: [
          {
            modelId: 'fetal-head',
            modelVersion: '1.0.0',
            provider: 'cpu',
            result: { task: 'fetal-head', hcMm: 175 + i, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, ellipse: { cx: 80, cy: 60, semiMajor: 40, semiMinor: 30, angleDeg: 10 } } as never,
          },
        ],
      },
      'midwife-a',
    );
    for (const m of cap.measurements.filter((x) => x.kind === 'hc' || x.kind === 'ga')) store.decide(m.id, { decision: 'confirmed', by: 'Dr Alice Martin' });
  }
  store.closeExam(exam.id, 'midwife-a', onClosed);
  const undecided = store
    .getExam(exam.id)
    .captures.flatMap((c) => c.measurements)
    .filter((m) => m.state === 'unverified')
    .map((m) => m.id);
  return { examId: exam.id, undecided };
}

const srs = (list: Dataset[], studyUid: string): Dataset[] => list.filter((d) => d.SOPClassUID === COMPREHENSIVE_SR && d.StudyInstanceUID === studyUid);
const predecessorOf = (d: Dataset): string | undefined =>
  (((d.PredecessorDocumentsSequence as Dataset[] | undefined)?.[0]?.ReferencedSeriesSequence as Dataset[])?.[0]?.ReferencedSOPSequence as Dataset[])?.[0]?.ReferencedSOPInstanceUID as
    string | undefined;
/** Every TEXT value of an SR's content tree. */
const texts = (items: Dataset[] | undefined): string[] =>
  (items ?? []).flatMap((i) => [...(typeof i.TextValue === 'string' ? [i.TextValue] : []), ...texts(i.ContentSequence as Dataset[] | undefined)]);

describe.skipIf(!orthancAvailable)('report revisions at a real Orthanc', () => {
  const dir = tempDir('sonoedge-coalesce-');
  let pacs: OrthancServer;
  let db: Db;
  let wiring: ReturnType<typeof wireSync>;
  let store: ExamStore;

  async function atPacs(): Promise<Dataset[]> {
    return Promise.all((await pacs.instances()).map(async (id) => readPart10(await pacs.file(id))));
  }
  const rows = (examId: string): Array<{ uid: string; state: string; cls: string }> =>
    db.prepare('SELECT sop_instance_uid uid, state, sop_class_uid cls FROM outbox WHERE exam_id = ? ORDER BY id').all(examId) as never;
  const srSent = (examId: string, n: number) => (): boolean =>
    rows(examId).filter((r) => r.cls === COMPREHENSIVE_SR && r.state === 'sent').length === n && rows(examId).every((r) => r.cls !== COMPREHENSIVE_SR || r.state === 'sent');
  const late = (id: string): void => {
    decideMeasurement(db, store, id, { decision: 'confirmed', by: 'Dr Bob Stone' }, (exam, revision, at, notes) => wiring.reports.revise(exam, { revision, at, notes }));
  };
  const sign = (examId: string): number => {
    const exam = store.getExam(examId);
    checkSignable(exam);
    const at = new Date();
    return new SignatureStore(db).addRevision(examId, { kind: 'signature', by: 'Dr Ada Byron', at }, (revision) =>
      wiring.reports.revise(exam, { revision, at, verification: { observerName: 'Dr Ada Byron', organization: wiring.reports.organization, at } }),
    ).revision;
  };
  const studyUid = (examId: string): string =>
    readPart10(db.prepare('SELECT payload FROM outbox WHERE exam_id = ? AND sop_class_uid = ? LIMIT 1').pluck().get(examId, COMPREHENSIVE_SR) as Buffer).StudyInstanceUID as string;

  it('starts', async () => {
    pacs = await OrthancServer.create(join(dir, 'pacs'));
    const dbFile = join(dir, 'records.db');
    const dbKey = loadOrCreateKey(join(dir, 'records.key'), {});
    db = openDatabase(dbFile, dbKey);
    store = new ExamStore(db);
    const loaded = loadConfig(undefined, {
      env: {},
      overrides: [
        [['dataDir'], dir],
        [['sync', 'targets'], [{ name: 'pacs', url: pacs.info.dicomWeb, username: pacs.info.user, password: pacs.info.password }]],
        [['sync', 'pollMs'], 50],
        [['sync', 'retryInitialMs'], 50],
      ],
    });
    wiring = wireSync(loaded, db, store, { dbFile, dbKey, deviceSecret: SECRET }, pino({ level: 'silent' }));
    wiring.worker.start();
  });

  it('4 decisions after closing, then the signature: revision 0 and the signed one reach the PACS (4 SRs), the signed one naming revision 0', async () => {
    const { examId, undecided } = closedExam(store, wiring.onExamClosed, 'BURST^ANNA');
    expect(undecided).toHaveLength(4);
    await until('revision 0 sent', srSent(examId, 2));
    for (const id of undecided) late(id);
    // one amendment waits (revision 4, naming revision 0); 1 to 3 were replaced before they were sent
    const waiting = rows(examId).filter((r) => r.cls === COMPREHENSIVE_SR && r.state === 'pending');
    expect(waiting.map((r) => r.uid)).toEqual(sentRevisionUids(SECRET, examId, 4));
    const revision = sign(examId);
    expect(revision).toBe(5);
    await until('the signed revision sent', srSent(examId, 4));
    const study = studyUid(examId);
    const got = srs(await until('4 SRs at the PACS', async () => srs(await atPacs(), study).length >= 4 && atPacs()), study);
    const [rev0, rev5] = [sentRevisionUids(SECRET, examId, 0), sentRevisionUids(SECRET, examId, 5)];
    expect(got.map((d) => d.SOPInstanceUID).sort()).toEqual([...rev0, ...rev5].sort());
    for (const d of got.filter((x) => rev5.includes(x.SOPInstanceUID as string))) {
      expect(d.VerificationFlag).toBe('VERIFIED');
      expect(rev0).toContain(predecessorOf(d));
      const said = texts(d.ContentSequence as Dataset[]).filter((t) => t.startsWith('Revision '));
      expect(said).toEqual([1, 2, 3, 4].map((k) => expect.stringMatching(new RegExp(`^Revision ${k} \\(replaced by this one before it was sent\\): (bpd|ofd) confirmed after the exam was closed$`))));
    }
  });

  it('a revision already sent stays at the PACS and the next one names it', async () => {
    const { examId, undecided } = closedExam(store, wiring.onExamClosed, 'SENT^BEA');
    await until('revision 0 sent', srSent(examId, 2));
    late(undecided[0]!);
    // the quiet period over (what 30 s of nobody deciding would do): revision 1 goes
    db.prepare('UPDATE outbox SET next_attempt_at = 0 WHERE exam_id = ? AND state = ?').run(examId, 'pending');
    wiring.worker.poke();
    await until('revision 1 sent', srSent(examId, 4));
    for (const id of undecided.slice(1)) late(id); // revisions 2-4: 4 replaces 2 and 3, names 1
    expect(sign(examId)).toBe(5); // replaces 4, names 1
    await until('the signed revision sent', srSent(examId, 6));
    const study = studyUid(examId);
    const got = srs(await until('6 SRs at the PACS', async () => srs(await atPacs(), study).length >= 6 && atPacs()), study);
    const [rev0, rev1, rev5] = [0, 1, 5].map((k) => sentRevisionUids(SECRET, examId, k));
    expect(got.map((d) => d.SOPInstanceUID).sort()).toEqual([...rev0!, ...rev1!, ...rev5!].sort());
    const byUid = new Map(got.map((d) => [d.SOPInstanceUID as string, d]));
    // each revision names the one before it at the PACS, per document (TID 1500 after TID 1500, TID 5000 after TID 5000)
    for (const i of [0, 1]) {
      expect(predecessorOf(byUid.get(rev1![i]!)!)).toBe(rev0![i]);
      expect(predecessorOf(byUid.get(rev5![i]!)!)).toBe(rev1![i]);
    }
  });

  afterAll(async () => {
    await wiring?.worker.stop();
    pacs?.kill();
    db?.close();
  });
});
