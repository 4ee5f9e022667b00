/** Thin client of the daemon's HTTP API; errors carry the server's message. */
export interface Measurement { id: string; kind: string; aiValue: number | null; finalValue: number | null; aiText: string | null; finalText: string | null; state: string }
export interface Exam { id: string; examType: 'obstetric' | 'breast'; anonymous: boolean; patient: { name?: string; id?: string } | null; datingGaWeeks: number | null; closedAt: string | null; captures: Array<{ id: string; measurements: Measurement[] }> }

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const r = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await r.json().catch(() => ({}))) as { message?: string };
  if (!r.ok) throw new Error(json.message ?? `HTTP ${r.status}`);
  return json as T;
}

export const api = {
  createExam: (body: { examType?: 'obstetric' | 'breast'; patient?: { name?: string; id?: string }; datingGaWeeks?: number; operator?: string }) => call<Exam>('POST', '/api/exams', body),
  getExam: (id: string) => call<Exam>('GET', `/api/exams/${id}`),
  captureFrame: async (examId: string, frame: ArrayBuffer, operator: string): Promise<Exam['captures'][number]> => {
    const r = await fetch(`/api/exams/${examId}/captures/frame?operator=${encodeURIComponent(operator)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: frame });
    const json = (await r.json().catch(() => ({}))) as { message?: string };
    if (!r.ok) throw new Error(json.message ?? `HTTP ${r.status}`);
    return json as Exam['captures'][number];
  },
  /** `value` corrects a number, `text` a category (orientation, margin, class), `geometry` the calipers. */
  decide: (id: string, decision: 'confirmed' | 'corrected', by: string, fix: { value?: number; text?: string; geometry?: { x1: number; y1: number; x2: number; y2: number } | { outline: number[] } } = {}) =>
    call<Measurement>('POST', `/api/measurements/${id}/decision`, { decision, by, ...fix }),
  closeExam: (id: string, operator: string) => call<Exam>('POST', `/api/exams/${id}/close`, { operator }),
};
