/**
 * `sonoedge qa-export --out DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--exam-type obstetric|breast] [--by NAME]`:
 * the QA / retraining export (src/qa-export) of this device's closed exams, de-identified with the device
 * secret and OCR-gated like the PACS path, audited (`qa.export`, ok or failed) in the device's trail.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DATA_OPTIONS, withAccess } from '../../access/cli/open.js';
import { dataDirOf } from '../../config/paths.js';
import { loadConfig } from '../../config/load.js';
import { ErrorCodes, SonoError } from '../../errors.js';
import { exportQa } from '../../qa-export/export.js';
import { loadOrCreateKey } from '../../records/database.js';
import type { ExamType } from '../../records/types.js';
import { type Command, UsageError, out } from '../../util/cli-command.js';
import { packageRoot } from '../../util/package-root.js';

const EXAM_TYPES: readonly ExamType[] = ['obstetric', 'breast'];

export const qaExport: Command = {
  name: 'qa-export',
  usage:
    'sonoedge qa-export --out DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--exam-type obstetric|breast] [--by TECHNICIAN] [--data-dir DIR] [--config FILE]   (de-identified images, masks and manifest of closed exams)',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, 'exam-type': { type: 'string' }, by: { type: 'string' }, ...DATA_OPTIONS },
    });
    if (!values.out) throw new UsageError('qa-export needs --out DIR (a new or empty folder, e.g. on a mounted USB stick)');
    const examType = values['exam-type'];
    if (examType !== undefined && !EXAM_TYPES.includes(examType as ExamType)) throw new UsageError(`--exam-type ${examType} is not one of ${EXAM_TYPES.join(', ')}`);
    const overrides: Array<[string[], unknown]> = values['data-dir'] !== undefined ? [[['dataDir'], resolve(values['data-dir'])]] : [];
    const loaded = loadConfig(values.config, { overrides });
    const secret = loadOrCreateKey(join(dataDirOf(loaded), 'keys', 'device.secret'), process.env, 'sonoedge-device-secret');
    const software = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
    const filters = { from: values.from ?? null, to: values.to ?? null, examType: examType ?? null };
    return withAccess(values, async ({ services, db, actor }) => {
      // who exports: a named technician (or admin) account when given, else the device's local account
      const by = values.by !== undefined ? services.users.find(values.by) : undefined;
      const audit = (outcome: 'ok' | 'failed', details: Record<string, unknown>): void => {
        services.audit.record({
          user: by?.name ?? null,
          role: by?.role ?? null,
          client: actor.client,
          action: 'qa.export',
          target: resolve(values.out!),
          outcome,
          details: { ...filters, ...actor.details, ...details },
        });
      };
      try {
        if (values.by !== undefined && (!by || by.disabled || by.role === 'clinician')) {
          throw new SonoError(ErrorCodes.ACCESS_FORBIDDEN, `--by ${values.by} is not an enabled technician or admin account; the QA export is a technician's task`, { details: { by: values.by } });
        }
        const s = await exportQa(db, {
          outDir: resolve(values.out!),
          from: values.from,
          to: values.to,
          examType: examType as ExamType | undefined,
          secret,
          dates: loaded.config.sync.dates,
          ocr: loaded.config.sync.ocr,
          software,
        });
        audit('ok', { exams: s.exams, items: s.items, withheld: s.withheld.length });
        out(s.outDir);
        process.stderr.write(`sonoedge: QA export of ${s.exams} exam(s): ${s.items} image(s) written, ${s.withheld.length} withheld (see withheld.json)\n`);
        return 0;
      } catch (err) {
        audit('failed', { code: err instanceof SonoError ? err.code : 'internal' });
        throw err;
      }
    });
  },
};
