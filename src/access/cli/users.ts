/** `sonoedge users add | list | disable | enable`: accounts, from the device itself (the first administrator included). */
import { parseArgs } from 'node:util';
import type { Command } from '../../util/cli-command.js';
import { UsageError, out } from '../../util/cli-command.js';
import { ROLES, isRole, secretKindOf } from '../roles.js';
import { DATA_OPTIONS, withAccess } from './open.js';
import { readSecret } from './read-secret.js';

export const usersAdd: Command = {
  name: 'users add',
  usage: 'sonoedge users add NAME --role clinician|technician|admin [--data-dir DIR] [--config FILE]   (PIN or password: first line of stdin, or prompted)',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...DATA_OPTIONS, role: { type: 'string' } } });
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new UsageError('users add needs exactly one NAME');
    if (!isRole(values.role)) throw new UsageError(`users add needs --role ${ROLES.join('|')}, got "${values.role ?? ''}"`);
    const role = values.role;
    const kind = secretKindOf(role) === 'pin' ? 'PIN (6 to 12 digits)' : 'password (at least 12 characters)';
    const secret = await readSecret(`${kind} for ${name}: `);
    return withAccess(values, async ({ services, actor }) => {
      const user = await services.users.add(name, role, secret);
      services.audit.record({ client: actor.client, action: 'user.create', target: user.name, outcome: 'ok', details: { role, ...actor.details } });
      out(`added ${user.name} (${user.role})`);
    });
  },
};

export const usersList: Command = {
  name: 'users list',
  usage: 'sonoedge users list [--data-dir DIR] [--config FILE]',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: DATA_OPTIONS });
    return withAccess(values, ({ services }) => {
      for (const u of services.users.list()) out(`${u.name}\t${u.role}\t${u.disabled ? 'disabled' : 'active'}\t${u.createdAt}`);
    });
  },
};

export const usersDisable: Command = {
  name: 'users disable',
  usage: 'sonoedge users disable NAME [--data-dir DIR] [--config FILE]   (its sessions and tokens end at once)',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: DATA_OPTIONS });
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new UsageError('users disable needs exactly one NAME');
    return withAccess(values, ({ services, actor }) => {
      const user = services.users.disable(name);
      services.audit.record({ client: actor.client, action: 'user.disable', target: user.name, outcome: 'ok', details: actor.details });
      out(`disabled ${user.name}`);
    });
  },
};

export const usersEnable: Command = {
  name: 'users enable',
  usage: 'sonoedge users enable NAME [--data-dir DIR] [--config FILE]   (its old sessions and tokens stay revoked)',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: DATA_OPTIONS });
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new UsageError('users enable needs exactly one NAME');
    return withAccess(values, ({ services, actor }) => {
      const user = services.users.enable(name);
      services.audit.record({ client: actor.client, action: 'user.enable', target: user.name, outcome: 'ok', details: actor.details });
      out(`enabled ${user.name}`);
    });
  },
};
