/**
 * The sign-in screen, made for a touchscreen and gloves: big name buttons (GET /api/session/users), then a
 * PIN pad (clinicians) or a password field (technician, admin); coded errors in plain words (a locked
 * account says for how long). With no account yet, the form for the first administrator, which the daemon
 * accepts only from the device itself (a refusal says so). The section is built here and sits outside the
 * `.view` sections, which the curtain takes away while nobody is signed in.
 */
import type { SessionUsersDto } from '../../../src/protocol/rest/index.js';
import { type Session, accessApi } from '../access/access-api';
import { el } from '../access/dom';
import { createPinPad } from '../access/pin-pad';
import { type SignInMessage, messageLine, signInError } from '../access/sign-in-message';
import { ApiError } from '../api';
import { type Key, applyI18n, t } from '../i18n';

type Picked = SessionUsersDto['users'][number];

export interface SignInScreen {
  /** Shows the screen; `preselect` opens that user's PIN or password entry at once (unlocking); `notice` a message. */
  show(options?: { preselect?: string | undefined; notice?: SignInMessage | undefined }): Promise<void>;
  hide(): void;
}

const roleKey = { clinician: 'roleClinician', technician: 'roleTechnician', admin: 'roleAdmin' } as const;

export function createSignInScreen(onSignedIn: (s: Session) => void): SignInScreen {
  const section = el('section', { id: 'view-sign-in', className: 'sign-in', hidden: true });
  const title = el('h2', {}, 'whoAreYou');
  const error = el('p', { id: 'sign-in-error', className: 'sign-in-error' });
  error.setAttribute('role', 'alert');
  const names = el('div', { id: 'sign-in-names', className: 'sign-in-names' });

  // the secret entry for the picked user
  const entry = el('div', { id: 'sign-in-entry', className: 'sign-in-entry', hidden: true });
  const pickedName = el('p', { id: 'sign-in-picked', className: 'sign-in-picked' });
  const prompt = el('p', { className: 'sign-in-prompt' });
  const submit = el('button', { id: 'sign-in-submit', type: 'submit', className: 'big primary' }, 'signIn');
  const pin = createPinPad(() => (submit.disabled = pin.value().length === 0));
  const password = el('input', { id: 'sign-in-password', type: 'password', autocomplete: 'current-password', className: 'sign-in-password' });
  const back = el('button', { id: 'sign-in-back', type: 'button', className: 'big' }, 'otherUser');
  const form = el('form', { className: 'sign-in-form' });
  form.append(pickedName, prompt, pin.element, password, submit, back);
  entry.append(form);

  // first start: the first administrator
  const setup = el('form', { id: 'setup-form', className: 'setup-form', hidden: true });
  const setupName = el('input', { id: 'setup-name', autocomplete: 'username' });
  const setupPass = el('input', { id: 'setup-password', type: 'password', autocomplete: 'new-password' });
  const setupRepeat = el('input', { id: 'setup-repeat', type: 'password', autocomplete: 'new-password' });
  setupName.dataset.i18nPlaceholder = 'setupName';
  setupPass.dataset.i18nPlaceholder = 'setupPassword';
  setupRepeat.dataset.i18nPlaceholder = 'setupRepeat';
  setup.append(el('p', {}, 'setupIntro'), setupName, setupPass, setupRepeat, el('button', { id: 'setup-create', type: 'submit', className: 'big primary' }, 'setupCreate'));

  section.append(title, error, names, entry, setup);
  document.body.append(section);

  let picked: Picked | undefined;
  let users: Picked[] = [];

  // an error on screen is re-rendered from its key when the language changes (access/sign-in-message.ts)
  const showError = messageLine(error).show;

  function pick(u: Picked | undefined): void {
    picked = u;
    names.hidden = !!u;
    entry.hidden = !u;
    title.dataset.i18n = u ? 'signIn' : 'whoAreYou';
    title.textContent = t(u ? 'signIn' : 'whoAreYou');
    pin.reset();
    password.value = '';
    if (!u) return;
    pickedName.replaceChildren(`${u.name} · `, el('span', {}, roleKey[u.role])); // the role follows the language
    prompt.dataset.i18n = u.secret === 'pin' ? 'enterPin' : 'enterPassword';
    prompt.textContent = t(prompt.dataset.i18n as Key);
    pin.element.hidden = u.secret !== 'pin';
    password.hidden = u.secret === 'pin';
    submit.disabled = u.secret === 'pin';
    if (u.secret === 'password') password.focus();
  }

  function listUsers(list: SessionUsersDto): void {
    users = list.users;
    setup.hidden = !list.setupNeeded;
    names.replaceChildren(
      ...users.map((u) => {
        const b = el('button', { type: 'button', className: 'name-btn' });
        b.dataset.user = u.name;
        b.append(el('strong', { textContent: u.name }), el('small', {}, roleKey[u.role]));
        b.addEventListener('click', () => {
          showError(undefined);
          pick(u);
        });
        return b;
      }),
    );
    if (!list.setupNeeded && users.length === 0) names.append(el('p', {}, 'noUsers'));
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const u = picked;
    if (!u) return;
    const secret = u.secret === 'pin' ? pin.value() : password.value;
    submit.disabled = true;
    accessApi.signIn(u.name, secret).then(
      (s) => {
        showError(undefined);
        pick(undefined);
        onSignedIn(s);
      },
      (err: unknown) => {
        showError(signInError(err));
        pin.reset();
        password.value = '';
        submit.disabled = u.secret === 'pin';
      },
    );
  });
  back.addEventListener('click', () => {
    showError(undefined);
    pick(undefined);
  });
  setup.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (setupPass.value !== setupRepeat.value) return showError({ key: 'setupMismatch', code: '' });
    accessApi.setup(setupName.value.trim(), setupPass.value).then(
      (s) => {
        showError(undefined);
        setupPass.value = setupRepeat.value = '';
        setup.hidden = true;
        onSignedIn(s);
      },
      (err: unknown) => {
        showError(signInError(err));
        if (err instanceof ApiError && err.status === 409) void accessApi.users().then(listUsers);
      },
    );
  });

  return {
    async show(options = {}): Promise<void> {
      section.hidden = false;
      showError(options.notice);
      applyI18n(section);
      try {
        listUsers(await accessApi.users());
      } catch (err) {
        showError(signInError(err));
      }
      pick(users.find((u) => u.name === options.preselect));
    },
    hide(): void {
      section.hidden = true;
      pick(undefined);
    },
  };
}
