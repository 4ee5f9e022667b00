/**
 * Every element the page's code touches, by id and type, looked up and checked once at start-up: a
 * missing or wrong element fails loudly at load (naming them all) instead of later as a null.
 * Keys are the ids in camelCase (`examForm` is #exam-form).
 */
const spec = {
  frame: HTMLCanvasElement,
  stale: HTMLElement,
  frozenBadge: HTMLElement,
  conn: HTMLElement,
  fps: HTMLElement,
  latency: HTMLElement,
  provider: HTMLElement,
  model: HTMLElement,
  tabs: HTMLElement,
  lang: HTMLSelectElement,
  panel: HTMLElement,
  panelTitle: HTMLElement,
  state: HTMLElement,
  measurements: HTMLElement,
  breastMeasurements: HTMLElement,
  hc: HTMLElement,
  bpd: HTMLElement,
  ofd: HTMLElement,
  ga: HTMLElement,
  centile: HTMLElement,
  quality: HTMLElement,
  bClass: HTMLElement,
  bPmal: HTMLElement,
  bMax: HTMLElement,
  bPerp: HTMLElement,
  bOrient: HTMLSelectElement,
  bMargin: HTMLSelectElement,
  bSummary: HTMLElement,
  flags: HTMLElement,
  findings: HTMLElement,
  freeze: HTMLButtonElement,
  best: HTMLButtonElement,
  scrub: HTMLInputElement,
  confirm: HTMLButtonElement,
  reset: HTMLButtonElement,
  calibrate: HTMLButtonElement,
  calRow: HTMLElement,
  calMm: HTMLInputElement,
  calApply: HTMLButtonElement,
  overlay: HTMLInputElement,
  enhanceRow: HTMLElement,
  enhance: HTMLInputElement,
  opacity: HTMLInputElement,
  examSummary: HTMLElement,
  operator: HTMLInputElement,
  examType: HTMLSelectElement,
  examForm: HTMLFormElement,
  pName: HTMLInputElement,
  pId: HTMLInputElement,
  pGa: HTMLInputElement,
  closeExam: HTMLButtonElement,
  message: HTMLElement,
  examRows: HTMLElement,
  growthNote: HTMLElement,
  growthChart: HTMLCanvasElement,
  growthFlags: HTMLElement,
  systemInfo: HTMLElement,
  sourceDriver: HTMLSelectElement,
  sourceApply: HTMLButtonElement,
  sourceMessage: HTMLElement,
  modelList: HTMLElement,
} satisfies Record<string, new () => HTMLElement>;

export type Elements = { readonly [K in keyof typeof spec]: InstanceType<(typeof spec)[K]> };

const idOf = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Looks every element up once; throws naming each id that is missing or of the wrong type. */
export function bindElements(root: Document = document): Elements {
  const out: Record<string, HTMLElement> = {};
  const wrong: string[] = [];
  for (const [key, type] of Object.entries(spec)) {
    const el = root.getElementById(idOf(key));
    if (el instanceof type) out[key] = el;
    else wrong.push(`#${idOf(key)} (${el ? `a ${el.tagName.toLowerCase()}, not a ${type.name}` : 'missing'})`);
  }
  if (wrong.length) throw new Error(`The page is missing elements the code needs: ${wrong.join(', ')}`);
  return out as unknown as Elements;
}
