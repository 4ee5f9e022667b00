/**
 * The signed-in name, always in the status bar, with one-tap Lock and Switch user. Built here and placed
 * in the header (#status) before the language selector.
 */
import { t } from '../i18n';
import type { Session } from './access-api';

export interface SignedInBar {
  show(s: Session | undefined): void;
}

const roleKey = { clinician: 'roleClinician', technician: 'roleTechnician', admin: 'roleAdmin' } as const;

export function createSignedInBar(actions: { lock(): void; switchUser(): void }): SignedInBar {
  const box = Object.assign(document.createElement('span'), { id: 'who', className: 'who' });
  const name = Object.assign(document.createElement('span'), { id: 'who-name', className: 'who-name' });
  const button = (id: string, key: 'lock' | 'switchUser', run: () => void): HTMLButtonElement => {
    const b = Object.assign(document.createElement('button'), { id, type: 'button', className: 'who-btn', textContent: t(key) });
    b.dataset.i18n = key;
    b.addEventListener('click', run);
    return b;
  };
  const lock = button('lock', 'lock', actions.lock);
  const sw = button('switch-user', 'switchUser', actions.switchUser);
  box.append(name, sw, lock);
  const header = document.getElementById('status');
  header?.insertBefore(box, header.querySelector('.lang'));
  return {
    show(s): void {
      box.hidden = !s;
      name.textContent = s ? `${s.user} · ${t(roleKey[s.role])}` : '';
      document.body.dataset.role = s?.role ?? '';
      document.body.classList.toggle('locked', !s);
    },
  };
}
