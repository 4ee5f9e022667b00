/**
 * Backup to a USB stick (POST /api/system/backup): the sticks the daemon sees mounted, each with one big
 * button. The copy is encrypted with the records key, which stays on the device: the panel says so, since a
 * stick alone can then be lost without losing patient data, and a restore needs that key.
 */
import type { BackupTargetDto, BackupTargetsDto } from '../../../../src/protocol/rest/backup.js';
import { h } from './dom';
import { techApi } from './api';
import { num, st } from './text';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

export class BackupPanel {
  readonly root = h('section', { className: 'backup-panel', id: 'system-backup' });
  readonly #title = h('h3');
  readonly #list = h('ul', { className: 'backup-targets' });
  readonly #msg = h('p', { className: 'backup-message', role: 'status' });
  #busy = false;

  constructor() {
    this.root.append(this.#title, this.#list, this.#msg);
  }

  show(s: BackupTargetsDto): void {
    this.#title.textContent = st('backupTitle');
    // the list is left as it is while a backup is written: its button shows the wait
    if (this.#busy) return;
    this.#list.replaceChildren(...(s.targets.length ? s.targets.map((t) => this.#row(t, s.recordsBytes)) : [h('li', { textContent: st('backupNoStick') })]));
  }

  #row(t: BackupTargetDto, needBytes: number): HTMLElement {
    const b = h('button', { className: 'big backup-go', textContent: st('backupWrite') });
    b.dataset.path = t.path;
    const tooSmall = t.freeBytes < needBytes;
    b.disabled = tooSmall;
    b.addEventListener('click', () => void this.#write(t.path, b));
    const line = `${t.path} · ${t.device} · ${st('diskFree', { free: num(t.freeBytes / GIB), total: num(t.totalBytes / GIB) })}`;
    return h(
      'li',
      { className: 'backup-target' },
      h('div', { textContent: line }),
      ...(tooSmall ? [h('div', { className: 'error', textContent: st('backupTooSmall', { mb: num(needBytes / MIB, 0) }) })] : []),
      b,
    );
  }

  async #write(path: string, button: HTMLButtonElement): Promise<void> {
    this.#busy = true;
    this.#list.querySelectorAll('button').forEach((x) => (x.disabled = true));
    button.textContent = st('backupWriting');
    this.#msg.className = 'backup-message';
    this.#msg.textContent = '…';
    try {
      const done = await techApi.backup(path);
      const written = st('backupDone', { dir: done.dir, mb: num(done.bytes / MIB), exams: done.counts.exams ?? 0 });
      // written, but without the device secret (torn): a restore of it would need that secret from elsewhere
      this.#msg.className = done.deviceSecretWarning ? 'backup-message error' : 'backup-message ok';
      this.#msg.textContent = done.deviceSecretWarning ? `${written} ${st('backupNoSecret')}` : written;
    } catch (err) {
      this.#msg.className = 'backup-message error';
      this.#msg.textContent = (err as Error).message;
    } finally {
      this.#busy = false;
      button.textContent = st('backupWrite');
      this.#list.querySelectorAll('button').forEach((x) => (x.disabled = false));
    }
  }
}
