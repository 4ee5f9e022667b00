/**
 * API tokens (admin), for integrations (Prometheus, scripts, fleet tools): create one for a user (the token
 * is shown this once, with a copy button), the list with last use, revoke.
 */
import { accessApi } from '../access/access-api';
import { el, input, pageSection, row, table, when } from '../access/dom';
import type { Elements } from '../dom/elements';
import { t } from '../i18n';
import type { Screen } from './types';

interface Parts {
  section: HTMLElement;
  body: HTMLTableSectionElement;
  user: HTMLSelectElement;
  message: HTMLElement;
  forget(): void;
}
let built: Parts | undefined;

function build(): Parts {
  if (built) return built;
  const section = pageSection('tokens', 'tokens');
  const user = el('select', { id: 'token-user' });
  const label = input({ id: 'token-label', maxLength: 80 }, 'tokenLabel');
  const create = el('form', { id: 'token-create', className: 'admin-form' });
  create.append(el('span', {}, 'tokenUser'), user, label, el('button', { type: 'submit', className: 'big primary' }, 'createToken'));
  const once = el('div', { id: 'token-once', className: 'token-once', hidden: true });
  const value = el('code', { id: 'token-value' });
  const copy = el('button', { id: 'token-copy', type: 'button', className: 'small-btn' }, 'copy');
  once.append(el('p', {}, 'tokenOnce'), value, copy);
  const message = el('p', { id: 'tokens-message', className: 'admin-message' });
  message.setAttribute('role', 'status');
  const { table: list, body } = table(['label', 'user', 'role', 'created', 'lastUsed', 'status']);
  body.id = 'token-rows';
  section.append(create, once, message, list);
  // the new token leaves the page when the screen is left and opened again: shown once
  const forget = (): void => {
    value.textContent = '';
    once.hidden = true;
  };
  built = { section, body, user, message, forget };

  create.addEventListener('submit', (ev) => {
    ev.preventDefault();
    accessApi
      .createToken(user.value, label.value.trim() || undefined)
      .then((r) => {
        value.textContent = r.token;
        once.hidden = false;
        copy.textContent = t('copy');
        label.value = '';
        return refresh();
      })
      .catch((err: Error) => (message.textContent = err.message));
  });
  copy.addEventListener('click', () => {
    // the clipboard API needs a secure context (HTTPS or loopback); otherwise select the text for a manual copy
    const done = (): void => void (copy.textContent = t('copied'));
    if (navigator.clipboard) navigator.clipboard.writeText(value.textContent ?? '').then(done, () => getSelection()?.selectAllChildren(value));
    else getSelection()?.selectAllChildren(value);
  });
  return built;
}

async function refresh(): Promise<void> {
  const b = build();
  const [{ tokens }, { users }] = await Promise.all([accessApi.listTokens(), accessApi.listUsers()]);
  const chosen = b.user.value;
  b.user.replaceChildren(...users.filter((u) => !u.disabled).map((u) => el('option', { value: u.name, textContent: u.name, selected: u.name === chosen })));
  b.body.replaceChildren(
    ...tokens.map((k) => {
      const revoke = el('button', { type: 'button', className: 'small-btn' }, 'revoke');
      revoke.addEventListener(
        'click',
        () =>
          void accessApi
            .revokeToken(k.id)
            .then(() => refresh())
            .catch((err: Error) => (b.message.textContent = err.message)),
      );
      const tr = row([k.label ?? k.id, k.user, k.role, when(k.createdAt), when(k.lastUsedAt)], k.revokedAt ? el('span', {}, 'revoked') : revoke);
      tr.dataset.token = k.id;
      return tr;
    }),
  );
}

export const tokensScreen: Screen = {
  id: 'tokens',
  labelKey: 'tokens',
  access: 'admin',
  section: () => build().section,
  open: (_els: Elements) => {
    build().message.textContent = '';
    built?.forget();
    return refresh();
  },
};
