/**
 * Source settings a technician changes from the page: the driver, and for the drivers that take settings
 * over the network, the few that matter on site (a replay folder under the media folders and its rate, a
 * capture device). Fields left empty keep the config file's settings for that driver.
 */
import { api } from '../../api';
import type { Elements } from '../../dom/elements';
import { h } from './dom';
import { techApi } from './api';
import type { Key } from '../../i18n';
import { st } from './text';

interface Field {
  key: string;
  label: Key;
  type: 'text' | 'number';
  placeholder: string;
  min?: number;
  max?: number;
  step?: number;
}

/** What the page offers per driver; the daemon's allow-list (PUT /api/source) checks each value again. */
const FIELDS: Record<string, Field[]> = {
  replay: [
    { key: 'path', label: 'folder', type: 'text', placeholder: '/srv/sonoedge/media/…' },
    { key: 'fps', label: 'fpsField', type: 'number', placeholder: '10', min: 0.1, max: 240, step: 0.1 },
  ],
  dicom: [
    { key: 'path', label: 'folder', type: 'text', placeholder: '/srv/sonoedge/media/…' },
    { key: 'fps', label: 'fpsField', type: 'number', placeholder: '10', min: 0.1, max: 240, step: 0.1 },
  ],
  v4l2: [
    { key: 'device', label: 'device', type: 'text', placeholder: '/dev/video0' },
    { key: 'fps', label: 'fpsField', type: 'number', placeholder: '30', min: 1, max: 240, step: 1 },
  ],
};

export class SourceForm {
  readonly #fields = h('div', { className: 'source-fields' });
  readonly #inputs = new Map<string, HTMLInputElement>();

  constructor(
    private readonly els: Elements,
    private readonly onSwitched: () => void,
  ) {
    els.sourceDriver.after(this.#fields);
    els.sourceDriver.addEventListener('change', () => this.showFields());
    els.sourceApply.addEventListener('click', () => void this.apply());
  }

  /** Fills the driver list (the current one selected) and its fields. */
  async load(): Promise<void> {
    const r = await api.drivers();
    const sel = this.els.sourceDriver;
    const keep = sel.value && r.drivers.includes(sel.value) && document.activeElement === sel ? sel.value : r.current;
    sel.replaceChildren(...r.drivers.map((d) => h('option', { value: d, textContent: d, selected: d === keep })));
    this.showFields();
  }

  /** The fields of the chosen driver, or a line saying its settings come from the config file. */
  showFields(): void {
    const driver = this.els.sourceDriver.value;
    if (this.#fields.dataset.driver === driver) return; // keep what is being typed
    this.#fields.dataset.driver = driver;
    this.#inputs.clear();
    const fields = FIELDS[driver] ?? [];
    this.#fields.replaceChildren(
      ...(fields.length
        ? fields.map((f) => {
            const input = h('input', { type: f.type, placeholder: f.placeholder, name: f.key, autocomplete: 'off' });
            if (f.min !== undefined) input.min = String(f.min);
            if (f.max !== undefined) input.max = String(f.max);
            if (f.step !== undefined) input.step = String(f.step);
            this.#inputs.set(f.key, input);
            return h('label', {}, h('span', { textContent: st(f.label) }), input);
          })
        : [h('small', { textContent: st('fromConfig') })]),
    );
  }

  /** The settings typed, or undefined when none (the config file's are used). */
  settings(): Record<string, unknown> | undefined {
    const out: Record<string, unknown> = {};
    for (const [key, input] of this.#inputs) {
      const v = input.value.trim();
      if (v) out[key] = input.type === 'number' ? Number(v.replace(',', '.')) : v;
    }
    return Object.keys(out).length ? out : undefined;
  }

  async apply(): Promise<void> {
    const msg = this.els.sourceMessage;
    msg.className = '';
    msg.textContent = '…';
    try {
      const j = await techApi.switchSource(this.els.sourceDriver.value, this.settings());
      msg.textContent = st('switched', { driver: j.driver, state: j.state });
      msg.className = 'ok';
      this.onSwitched();
    } catch (err) {
      msg.textContent = (err as Error).message;
      msg.className = 'error';
    }
  }
}
