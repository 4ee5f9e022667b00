import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.js';
import { runDoctor } from '../doctor.js';
import { type Command, out } from '../../util/cli-command.js';

export const doctor: Command = {
  name: 'doctor',
  usage: 'sonoedge doctor [--config FILE]',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
    return (await runDoctor(loadConfig(values.config), out)) ? 0 : 1;
  },
};
