/**
 * The audit trail (admin): newest first, filtered by user, action (exact, or a prefix ending in "."),
 * outcome and dates; "check the chain" shows GET /api/audit/verify's answer in plain words.
 */
import type { AuditVerifyDto } from '../../../src/protocol/rest/index.js';
import { type AuditFilter, accessApi } from '../access/access-api';
import { el, input, pageSection, row, table, when } from '../access/dom';
import { fill } from '../access/strings';
import type { Elements } from '../dom/elements';
import { type Key, t } from '../i18n';
import type { Screen } from './types';

interface Parts {
  section: HTMLElement;
  body: HTMLTableSectionElement;
  filter: () => AuditFilter;
  verdict: HTMLElement;
}
let built: Parts | undefined;

/** A date field's day as an ISO instant: the start of `day` (from) or of the next day (to). */
const dayBound = (day: string, next: boolean): string | undefined => {
  if (!day) return undefined;
  const d = new Date(`${day}T00:00:00`);
  if (next) d.setDate(d.getDate() + 1);
  return d.toISOString();
};

export function verdictText(v: AuditVerifyDto): string {
  return v.ok ? fill(t('chainOk'), { n: v.rows }) : fill(t('chainBroken'), { id: v.firstBadId, problem: t(`problem_${v.problem}` as Key), message: v.message });
}

function build(): Parts {
  if (built) return built;
  const section = pageSection('audit', 'audit');
  const user = input({ id: 'audit-user', maxLength: 40 }, 'user');
  const action = input({ id: 'audit-action', maxLength: 64 }, 'action');
  const outcome = el('select', { id: 'audit-outcome' });
  outcome.append(el('option', { value: '' }, 'all'), ...(['ok', 'denied', 'failed'] as const).map((o) => el('option', { value: o, textContent: o })));
  const since = el('input', { id: 'audit-since', type: 'date' });
  const until = el('input', { id: 'audit-until', type: 'date' });
  const form = el('form', { id: 'audit-filter', className: 'admin-form' });
  const check = el('button', { id: 'audit-verify', type: 'button', className: 'big' }, 'verifyChain');
  form.append(user, action, outcome, el('span', {}, 'since'), since, el('span', {}, 'until'), until, el('button', { type: 'submit', className: 'big primary' }, 'filter'), check);
  const verdict = el('p', { id: 'audit-verdict', className: 'audit-verdict' });
  verdict.setAttribute('role', 'status');
  const { table: list, body } = table(['when', 'user', 'role', 'client', 'action', 'target', 'outcome']);
  body.id = 'audit-rows';
  section.append(form, verdict, list);
  const filter = (): AuditFilter => ({
    user: user.value.trim() || undefined,
    action: action.value.trim() || undefined,
    outcome: (outcome.value || undefined) as AuditFilter['outcome'],
    since: dayBound(since.value, false),
    until: dayBound(until.value, true),
  });
  built = { section, body, filter, verdict };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void refresh().catch((err: Error) => (verdict.textContent = err.message));
  });
  check.addEventListener('click', () => void verify().catch((err: Error) => (verdict.textContent = err.message)));
  return built;
}

async function verify(): Promise<void> {
  const b = build();
  const v = await accessApi.verifyAudit();
  b.verdict.textContent = verdictText(v);
  b.verdict.className = `audit-verdict ${v.ok ? 'ok' : 'broken'}`;
}

async function refresh(): Promise<void> {
  const b = build();
  const { rows } = await accessApi.audit(b.filter());
  b.body.replaceChildren(
    ...rows.map((r) => {
      const tr = row([when(r.at), r.user ?? '–', r.role ?? '–', r.client ?? '–', r.action, r.target ?? '–', r.outcome]);
      tr.className = `outcome-${r.outcome}`;
      tr.dataset.action = r.action;
      return tr;
    }),
  );
}

export const auditScreen: Screen = {
  id: 'audit',
  labelKey: 'audit',
  access: 'admin',
  section: () => build().section,
  open: async (_els: Elements) => {
    await Promise.all([refresh(), verify()]);
  },
};
