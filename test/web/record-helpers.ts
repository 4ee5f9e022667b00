/** Exams made through the daemon's API for the record and growth browser tests (fetch carries the test token). */
import type { TestDaemon } from '../helpers/daemon.js';

type Measurement = { id: string; kind: string; aiValue: number | null };
export type CaptureJson = { id: string; measurements: Measurement[] };

export async function apiExam(d: TestDaemon, body: Record<string, unknown>): Promise<string> {
  const r = await fetch(`${d.url}/api/exams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 201) throw new Error(`POST /api/exams answered ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { id: string }).id;
}

/** Captures the newest live frame with its fetal-head result (the route waits for the model's next result). */
export async function apiCapture(d: TestDaemon, examId: string): Promise<CaptureJson> {
  for (let i = 0; i < 20; i++) {
    const r = await fetch(`${d.url}/api/exams/${examId}/captures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    if (r.status === 201) return (await r.json()) as CaptureJson;
    if (r.status !== 409) throw new Error(`Capture answered ${r.status}: ${await r.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 250)); // no kept frame with a result yet: the source is starting
  }
  throw new Error(`No capture of exam ${examId}`);
}

/** `ellipse`: the outline the clinician left, as the live review sends it with a correction. */
export async function apiCorrectHc(d: TestDaemon, capture: CaptureJson, value: number, ellipse?: { cx: number; cy: number; semiMajor: number; semiMinor: number; angleDeg: number }): Promise<void> {
  const hc = capture.measurements.find((m) => m.kind === 'hc')!;
  const body = { decision: 'corrected', value, ...(ellipse ? { geometry: { ellipse } } : {}) };
  const r = await fetch(`${d.url}/api/measurements/${hc.id}/decision`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`Decision answered ${r.status}: ${await r.text()}`);
}

export async function apiClose(d: TestDaemon, examId: string): Promise<void> {
  const r = await fetch(`${d.url}/api/exams/${examId}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (r.status !== 200) throw new Error(`Close answered ${r.status}: ${await r.text()}`);
}
