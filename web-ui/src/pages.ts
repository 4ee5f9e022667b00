import { drawGrowthChart } from './growth-chart';
import { flagMessage, t } from './i18n';

const $ = (id: string): HTMLElement => document.getElementById(id)!;
const cell = (text: string, cls = ''): HTMLTableCellElement => Object.assign(document.createElement('td'), { textContent: text, className: cls });

interface ExamRow { id: string; createdAt: string; anonymous: boolean; patient: { name?: string; id?: string } | null; captureCount: number; sync: string }

export async function showExams(): Promise<void> {
  const rows = (await (await fetch('/api/exams')).json()) as ExamRow[];
  $('exam-rows').replaceChildren(...rows.map((e) => {
    const tr = document.createElement('tr');
    tr.append(cell(new Date(e.createdAt).toLocaleString()), cell(e.anonymous ? t('anonymous') : (e.patient?.name ?? e.patient?.id ?? '')), cell(String(e.captureCount)), cell(e.sync, `sync-${e.sync}`));
    return tr;
  }));
}

/** The growth chart of the newest exam's patient (or the given exam). */
export async function showGrowth(examId?: string): Promise<void> {
  let id = examId;
  if (!id) {
    const rows = (await (await fetch('/api/exams')).json()) as ExamRow[];
    id = rows.find((r) => r.patient?.id)?.id;
  }
  const canvas = $('growth-chart') as HTMLCanvasElement;
  const g = id ? ((await (await fetch(`/api/exams/${id}/growth`)).json()) as { points: Array<{ gaWeeks: number; hcMm: number; z?: number }>; flags: Array<{ code: string; message: string }> }) : { points: [], flags: [] };
  $('growth-note').textContent = g.points.length ? '' : t('noGrowth');
  drawGrowthChart(canvas, g.points, { x: t('gaAxis'), y: t('hcAxis') });
  $('growth-flags').replaceChildren(...g.flags.map((f) => Object.assign(document.createElement('li'), { textContent: flagMessage(f.code, f.message), className: 'alert' })));
}

export async function showSystem(): Promise<void> {
  const h = (await (await fetch('/api/health')).json()) as { status: string; provider?: string; uptimeSeconds: number; source?: { driver: string; state: string; fps: number; errors: number; lastError?: string }; disk?: { path: string; freeBytes: number; totalBytes: number }; models: Array<{ id: string; version: string; provider: string; precision: string }> };
  const s = (await (await fetch('/api/sync')).json()) as { targets: Array<{ name: string; state: string; counts: { pending: number; sent: number; rejected: number }; lastError?: string }> };
  const rows: Array<[string, string]> = [
    [t('source'), h.source ? `${h.source.driver} · ${h.source.state} · ${h.source.fps.toFixed(1)} ${t('fps')}${h.source.errors ? ` · ${h.source.errors} errors (${h.source.lastError ?? ''})` : ''}` : '–'],
    [t('provider'), h.provider ?? '–'],
    [t('uptime'), `${Math.round(h.uptimeSeconds / 60)} min`],
    [t('disk'), h.disk ? `${h.disk.path} · ${(h.disk.freeBytes / 2 ** 30).toFixed(1)} / ${(h.disk.totalBytes / 2 ** 30).toFixed(1)} GiB free` : '–'],
    [t('queue'), s.targets.length ? s.targets.map((x) => `${x.name}: ${x.state} · ${x.counts.pending} / ${x.counts.sent} / ${x.counts.rejected}${x.lastError ? ` · ${x.lastError}` : ''}`).join('; ') : '–'],
  ];
  $('system-info').replaceChildren(...rows.flatMap(([k, v]) => [Object.assign(document.createElement('dt'), { textContent: k }), Object.assign(document.createElement('dd'), { textContent: v })]));
  $('model-list').replaceChildren(...h.models.map((m) => Object.assign(document.createElement('li'), { textContent: `${m.id} ${m.version} · ${m.provider} · ${m.precision}` })));
}

/** Fills the source selector; switching uses each driver's settings from the daemon's config. */
export async function showSources(): Promise<void> {
  const r = (await (await fetch('/api/source/drivers')).json()) as { current?: string; drivers: string[] };
  const sel = $('source-driver') as HTMLSelectElement;
  sel.replaceChildren(...r.drivers.map((d) => Object.assign(document.createElement('option'), { value: d, textContent: d, selected: d === r.current })));
}

export async function switchSource(): Promise<string> {
  const driver = ($('source-driver') as HTMLSelectElement).value;
  const r = await fetch('/api/source', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ driver }) });
  const j = (await r.json()) as { message?: string; driver?: string; state?: string };
  return r.ok ? `${j.driver} · ${j.state}` : (j.message ?? `HTTP ${r.status}`);
}
