import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.js';
import { listModelPackages } from '../../models/package.js';
import { modelsDirOf } from '../paths.js';
import { type Command, out } from './command.js';

export const modelsList: Command = {
  name: 'models list',
  usage: 'sonoedge models list [--config FILE]',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
    const dir = modelsDirOf(loadConfig(values.config));
    const list = listModelPackages(dir);
    if (list.length === 0) out(`no model packages in ${dir}`);
    for (const p of list) {
      if ('manifest' in p) {
        const m = p.manifest;
        out(`${m.id}\t${m.version}\ttask=${m.task}\tfiles=${m.files.map((f) => `${f.precision}[${f.providers.join('/')}]`).join(',')}`);
      } else out(`${p.dir}\tINVALID\t${p.error.replace(/\n/g, ' ')}`);
    }
  },
};
