/** `sonoedge tokens create | revoke`: API tokens for integrations. `create` prints the token alone on one line. */
import { parseArgs } from 'node:util';
import type { Command } from '../../util/cli-command.js';
import { UsageError, out } from '../../util/cli-command.js';
import { DATA_OPTIONS, withAccess } from './open.js';

export const tokensCreate: Command = {
  name: 'tokens create',
  usage: 'sonoedge tokens create --user NAME [--label TEXT] [--data-dir DIR] [--config FILE]   (prints the token, shown this once)',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { ...DATA_OPTIONS, user: { type: 'string' }, label: { type: 'string' } } });
    if (!values.user) throw new UsageError('tokens create needs --user NAME');
    const user = values.user;
    return withAccess(values, ({ services, actor }) => {
      const { id, token } = services.tokens.create(user, { label: values.label, createdBy: `cli:${actor.details.osUser}` });
      services.audit.record({ client: actor.client, action: 'token.create', target: user, outcome: 'ok', details: { tokenId: id, ...actor.details } });
      process.stderr.write(`token ${id} for ${user} (its id for \`sonoedge tokens revoke\`); keep the line below, it is not shown again\n`);
      out(token);
    });
  },
};

export const tokensRevoke: Command = {
  name: 'tokens revoke',
  usage: 'sonoedge tokens revoke ID [--data-dir DIR] [--config FILE]',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: DATA_OPTIONS });
    const [id, ...extra] = positionals;
    if (!id || extra.length > 0) throw new UsageError('tokens revoke needs exactly one token ID (tok_…)');
    return withAccess(values, ({ services, actor }) => {
      const t = services.tokens.revoke(id);
      services.audit.record({ client: actor.client, action: 'token.revoke', target: t.id, outcome: 'ok', details: { user: t.user, ...actor.details } });
      out(`revoked ${t.id} (${t.user})`);
    });
  },
};
