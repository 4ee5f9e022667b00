import { parseArgs } from 'node:util';
import pino from 'pino';
import { readPixelSizeCsv } from '../../../drivers/replay/replay.js';
import { loadConfig } from '../../config/load.js';
import { analyzeFiles } from '../analyze/analyze-files.js';
import { enhanceFiles } from '../analyze/enhance-files.js';
import { openSessions } from '../sessions.js';
import { type Command, UsageError, out } from '../../util/cli-command.js';

export const analyze: Command = {
  name: 'analyze',
  usage: `sonoedge analyze --model ID [--pixel-size MM | --pixel-size-csv FILE] [--mask-dir DIR] [--image-dir DIR]
                   [--dating-ga WEEKS] [--config FILE] [--provider NAME] [--precision int8|fp32] IMAGE...`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        'pixel-size': { type: 'string' },
        'pixel-size-csv': { type: 'string' },
        'mask-dir': { type: 'string' },
        'image-dir': { type: 'string' },
        'dating-ga': { type: 'string' },
        config: { type: 'string' },
        provider: { type: 'string' },
        precision: { type: 'string' },
      },
    });
    if (!values.model) throw new UsageError('analyze needs --model ID');
    if (positionals.length === 0) throw new UsageError('analyze needs at least one IMAGE');
    if (values['pixel-size'] && values['pixel-size-csv']) throw new UsageError('give --pixel-size or --pixel-size-csv, not both');
    const pixelSize = values['pixel-size'] !== undefined ? Number(values['pixel-size']) : undefined;
    if (pixelSize !== undefined && !(pixelSize > 0)) throw new UsageError(`--pixel-size must be a positive number of millimetres, got "${values['pixel-size']}"`);
    const datingGa = values['dating-ga'] !== undefined ? Number(values['dating-ga']) : undefined;
    if (datingGa !== undefined && !(datingGa > 0 && datingGa < 45)) throw new UsageError(`--dating-ga must be weeks between 0 and 45, got "${values['dating-ga']}"`);
    const overrides: Array<[string[], unknown]> = [
      [['models'], [{ id: values.model, everyN: 1 }]],
      [['inference', 'warmupRuns'], 0],
    ];
    if (values.provider) overrides.push([['inference', 'providers'], values.provider.split(',')]);
    if (values.precision) overrides.push([['inference', 'precision'], values.precision]);
    const loaded = loadConfig(values.config, { overrides });
    const log = pino({ level: loaded.config.log.level }, pino.destination(2));
    const pixelSizes = values['pixel-size-csv'] ? readPixelSizeCsv(values['pixel-size-csv']) : undefined;
    const [session] = await openSessions(loaded, log);
    try {
      // an image-to-image model (enhance) writes images (--image-dir), not measurements
      const lines =
        session!.pkg.manifest.task === 'enhance'
          ? enhanceFiles(session!, positionals, { imageDir: values['image-dir'] })
          : analyzeFiles(session!, positionals, { pixelSize, pixelSizes, maskDir: values['mask-dir'], datingGaWeeks: datingGa });
      // one line per image (an unreadable one gets `error` and its `code`); nothing analyzed at all fails the command
      const failed: Array<Record<string, unknown>> = [];
      for await (const line of lines) {
        if (line.error !== undefined) failed.push(line);
        out(JSON.stringify(line));
      }
      if (failed.length === positionals.length) {
        const first = failed[0]!;
        const code = typeof first.code === 'string' && !String(first.error).includes(first.code) ? ` (${first.code})` : '';
        process.stderr.write(`sonoedge: no image could be analyzed (${failed.length} of ${positionals.length} failed); the first${code}: ${String(first.error)}\n`);
        return 1;
      }
    } finally {
      await session!.release();
    }
  },
};
