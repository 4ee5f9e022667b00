/**
 * Where each exam begins in the live stream, so a frame of the patient before is never saved into the next
 * patient's exam: the page's cine and the daemon's ring keep the last seconds of frames whatever exam is open.
 * An exam begins when it is created (POST /api/exams answered 201) or resumed on a device (POST
 * /api/exams/:id/resume): every frame the daemon had received by then belongs to what came before, and the
 * capture and clip routes refuse it for that exam (409 SONO_FRAME_BEFORE_EXAM). A frame is named by number AND
 * capture time (numbers restart at 0 with every source); its place in the stream is the order in which it
 * reached the daemon, which no source restart resets. In memory, as the frames it names: after a restart every
 * frame the daemon holds is newer than every exam, and an exam it has no start for is not checked.
 * A start is kept per device (its session or token: Principal.credentialId): a second tablet resuming the
 * exam moves that tablet's start only, so the first one keeps the frames it froze during this patient's scan.
 * A device that never began the exam counts from its creation.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCodes, SonoError } from '../errors.js';
import { ExamDto, IdParams, errorResponses } from '../protocol/rest/index.js';
import { auditRequest } from './access/audit-request.js';

/** As many frames as a frozen frame or a clip may come back from (src/server/sent-frames.ts, recent-frames.ts). */
const RETAIN_FRAMES = 2000;
/** Exams whose start is kept (the oldest forgotten first: a day of exams is far fewer). */
const RETAIN_EXAMS = 1000;

/** What the check needs of an exam. */
type ExamState = { id: string; closedAt: string | null; voidedAt?: string | null | undefined };

export class ExamStarts {
  /** The arrival number of each of the last RETAIN_FRAMES frames, by frame number (a new source's frame replaces the old one's). */
  readonly #arrival = new Map<number, { timestampMs: number; n: number }>();
  #received = 0;
  /** Per exam: how many frames had arrived when it was created, and when each device began or resumed it. */
  readonly #began = new Map<string, { created: number | undefined; byDevice: Map<string, number> }>();

  keep(f: { seq: number; timestampMs: number }): void {
    this.#arrival.delete(f.seq);
    this.#arrival.set(f.seq, { timestampMs: f.timestampMs, n: ++this.#received });
    if (this.#arrival.size > RETAIN_FRAMES) this.#arrival.delete(this.#arrival.keys().next().value!);
  }

  /** Exam `examId` begins now on device `device` (created: for every device that has not begun it itself). */
  began(examId: string, device: string | undefined, how: 'created' | 'resumed'): void {
    const marks = this.#began.get(examId) ?? { created: undefined, byDevice: new Map<string, number>() };
    this.#began.delete(examId);
    this.#began.set(examId, marks);
    if (how === 'created') marks.created = this.#received;
    if (device !== undefined) marks.byDevice.set(device, this.#received);
    if (this.#began.size > RETAIN_EXAMS) this.#began.delete(this.#began.keys().next().value!);
  }

  /**
   * Refuses (409 SONO_FRAME_BEFORE_EXAM) frame `seq` captured at `timestampMs` if it reached the daemon before
   * `exam` began. A closed or voided exam is not checked: the store refuses it as such (SONO_EXAM_CLOSED), which
   * tells the device more.
   */
  check(exam: ExamState, device: string | undefined, seq: number, timestampMs: number): void {
    if (!this.before(exam, device, seq, timestampMs)) return;
    throw new SonoError(
      ErrorCodes.FRAME_BEFORE_EXAM,
      `Frame ${seq} was acquired before exam ${exam.id} was started or resumed, so it may show the patient before; freeze again to capture the current patient`,
      { details: { seq } },
    );
  }

  /** Whether `check` refuses the frame (a closed or voided exam: never). */
  before(exam: ExamState, device: string | undefined, seq: number, timestampMs: number): boolean {
    if (exam.closedAt || exam.voidedAt) return false;
    const marks = this.#began.get(exam.id);
    const began = (device === undefined ? undefined : marks?.byDevice.get(device)) ?? marks?.created;
    if (began === undefined) return false; // begun before this daemon started: every frame it holds is newer
    const f = this.#arrival.get(seq);
    // a frame no longer known is older than any the daemon could still tell: before
    return !(f && f.timestampMs === timestampMs && f.n > began);
  }
}

/**
 * Marks where exams begin: an exam created (the answer of POST /api/exams, records.ts, seen as it is sent: the
 * route itself stays where it is), and POST /api/exams/:id/resume, which a device calls when it opens an exam
 * already started (another device's, or its own after another exam): it answers the exam, or 409 when the exam
 * was closed or voided since.
 */
export function markExamStarts(app: FastifyInstance, starts: ExamStarts): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method === 'POST' && reply.statusCode === 201 && req.routeOptions.url === '/api/exams' && typeof payload === 'string') {
      const id = (JSON.parse(payload) as { id?: unknown }).id;
      if (typeof id === 'string') starts.began(id, req.principal?.credentialId, 'created');
    }
    return payload;
  });
  app.post<{ Params: IdParams }>(
    '/api/exams/:id/resume',
    {
      config: { access: 'clinician' },
      schema: {
        tags: ['records'],
        summary: 'Resume an open exam on this device: frames received before now are refused for it (409 SONO_FRAME_BEFORE_EXAM)',
        params: IdParams,
        response: { 200: ExamDto, ...errorResponses(400, 404, 409) },
      },
    },
    async (req) => {
      const exam = app.exams.getExam(req.params.id);
      if (exam.voidedAt) throw new SonoError(ErrorCodes.EXAM_VOIDED, `Exam ${exam.id} was voided; a voided exam takes nothing more: start a new exam`);
      if (exam.closedAt) throw new SonoError(ErrorCodes.EXAM_CLOSED, `Exam ${exam.id} is closed; start a new exam to capture more`);
      starts.began(exam.id, req.principal?.credentialId, 'resumed');
      auditRequest(req, 'exam.resume', exam.id);
      return exam;
    },
  );
}
