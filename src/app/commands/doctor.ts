import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.js';
import { runDoctor } from '../doctor.js';
import { type Command, out } from '../../util/cli-command.js';

export const doctor: Command = {
  name: 'doctor',
  usage: 'sonoedge doctor [--config FILE] [--data-dir DIR]',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, 'data-dir': { type: 'string' } } });
    const overrides: Array<[string[], unknown]> = values['data-dir'] !== undefined ? [[['dataDir'], resolve(values['data-dir'])]] : [];
    return (await runDoctor(loadConfig(values.config, { overrides }), out)) ? 0 : 1;
  },
};
