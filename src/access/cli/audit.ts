/** `sonoedge audit verify`: walks the audit chain; exit 1 naming the first row edited, removed or reordered. */
import { parseArgs } from 'node:util';
import type { Command } from '../../util/cli-command.js';
import { out } from '../../util/cli-command.js';
import { DATA_OPTIONS, withAccess } from './open.js';

export const auditVerify: Command = {
  name: 'audit verify',
  usage: 'sonoedge audit verify [--data-dir DIR] [--config FILE]   (exit 1 naming the first row edited, removed or reordered)',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: DATA_OPTIONS });
    return withAccess(values, ({ services }) => {
      const result = services.audit.verify();
      if (result.ok) {
        out(`audit trail intact: ${result.rows} rows`);
        return 0;
      }
      out(`${result.message}; the trail has been tampered with from row ${result.firstBadId} on`);
      return 1;
    });
  },
};
