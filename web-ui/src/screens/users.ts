/**
 * Accounts (admin): the list with role, creation and state; add one with its role and PIN or password;
 * disable one (its sessions and tokens end at once); set a new PIN or password (also lifts a lockout).
 */
import { type Role, accessApi } from '../access/access-api';
import { el, input, pageSection, row, table } from '../access/dom';
import type { Elements } from '../dom/elements';
import { t } from '../i18n';
import type { Screen } from './types';

const roleKey = { clinician: 'roleClinician', technician: 'roleTechnician', admin: 'roleAdmin' } as const;

let built: { section: HTMLElement; body: HTMLTableSectionElement; message: HTMLElement } | undefined;

function build(): NonNullable<typeof built> {
  if (built) return built;
  const section = pageSection('users', 'users');
  const { table: list, body } = table(['name', 'role', 'created', 'status', 'disable', 'resetSecret']);
  body.id = 'user-rows';
  const name = input({ id: 'user-name' }, 'name');
  const role = el('select', { id: 'user-role' });
  role.append(...(['clinician', 'technician', 'admin'] as const).map((r) => el('option', { value: r }, roleKey[r])));
  const secret = input({ id: 'user-secret', type: 'password', autocomplete: 'new-password' }, 'secretField');
  const add = el('form', { id: 'user-add', className: 'admin-form' });
  add.append(name, role, secret, el('button', { type: 'submit', className: 'big primary' }, 'addUser'));
  const message = el('p', { id: 'users-message', className: 'admin-message' });
  message.setAttribute('role', 'status');
  section.append(add, message, list);
  built = { section, body, message };
  add.addEventListener('submit', (ev) => {
    ev.preventDefault();
    accessApi
      .addUser(name.value.trim(), role.value as Role, secret.value)
      .then(() => {
        name.value = secret.value = '';
        return refresh(t('userAdded'));
      })
      .catch((err: Error) => (message.textContent = err.message));
  });
  return built;
}

async function refresh(note = ''): Promise<void> {
  const b = build();
  const { users } = await accessApi.listUsers();
  b.message.textContent = note;
  b.body.replaceChildren(
    ...users.map((u) => {
      const disable = el('button', { type: 'button', className: 'small-btn', disabled: u.disabled }, 'disable');
      disable.dataset.user = u.name;
      disable.addEventListener(
        'click',
        () =>
          void accessApi
            .disableUser(u.name)
            .then(() => refresh(t('userDisabled')))
            .catch((err: Error) => (b.message.textContent = err.message)),
      );
      const reset = el('form', { className: 'inline-form' });
      const secret = input({ type: 'password', autocomplete: 'new-password', disabled: u.disabled }, 'secretField');
      reset.append(secret, el('button', { type: 'submit', className: 'small-btn', disabled: u.disabled }, 'save'));
      reset.addEventListener('submit', (ev) => {
        ev.preventDefault();
        accessApi
          .setSecret(u.name, secret.value)
          .then(() => refresh(`${t('secretReset')}: ${u.name}`))
          .catch((err: Error) => (b.message.textContent = err.message));
      });
      const tr = row([u.name, t(roleKey[u.role]), new Date(u.createdAt).toLocaleString(), t(u.disabled ? 'disabled' : 'active')], disable, reset);
      tr.dataset.user = u.name;
      return tr;
    }),
  );
}

export const usersScreen: Screen = {
  id: 'users',
  labelKey: 'users',
  access: 'admin',
  section: () => build().section,
  open: (_els: Elements) => refresh(),
};
