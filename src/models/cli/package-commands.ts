import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.js';
import { generateSigningKeys, readPrivateKey, trustStoreOf } from '../updates/keys.js';
import { packModelDir, signPackageBytes } from '../updates/pack.js';
import { verifyPackage } from '../updates/verify.js';
import { type ModelCommand, CommandUsageError, print } from './command.js';

/** `models keygen`, `models pack`, `models sign`, `models verify`: the signer's side and an offline check. */

export const keygen: ModelCommand = {
  name: 'models keygen',
  usage: 'sonoedge models keygen --out DIR',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { out: { type: 'string' } } });
    if (!values.out) throw new CommandUsageError('models keygen needs --out DIR');
    const k = generateSigningKeys(resolve(values.out));
    print(`wrote ${k.privatePath} (mode 0600: keep it off the devices, with the person who signs releases) and ${k.publicPath}`);
    print(`key id ${k.keyid}: put signing.pub in modelUpdates.trustedKeys on the devices that should trust it`);
  },
};

export const pack: ModelCommand = {
  name: 'models pack',
  usage: 'sonoedge models pack MODEL_DIR --out FILE',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' } } });
    if (positionals.length !== 1 || !values.out) throw new CommandUsageError('models pack needs one MODEL_DIR and --out FILE');
    const r = await packModelDir(resolve(positionals[0]!));
    writeFileSync(values.out, r.bytes);
    print(`packed ${r.payload.id} ${r.payload.version} (${Object.keys(r.payload.files).length} files, ${r.bytes.length} bytes) into ${values.out}`);
    print(r.signed ? 'kept the signed statement.json from the folder (its signature covers these files)' : `unsigned: sign it with \`sonoedge models sign ${values.out} --key signing.key\``);
  },
};

export const sign: ModelCommand = {
  name: 'models sign',
  usage: 'sonoedge models sign FILE --key KEY [--expires-days N]',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { key: { type: 'string' }, 'expires-days': { type: 'string' } } });
    if (positionals.length !== 1 || !values.key) throw new CommandUsageError('models sign needs one FILE and --key KEY');
    const days = values['expires-days'] === undefined ? 365 : Number(values['expires-days']);
    if (!(days > 0 && days <= 3650)) throw new CommandUsageError(`--expires-days must be a number of days from 1 to 3650, got "${values['expires-days']}"`);
    const file = positionals[0]!;
    const r = await signPackageBytes(readFileSync(file), readPrivateKey(values.key), { expiresDays: days });
    const tmp = `${file}.signing-${process.pid}`;
    writeFileSync(tmp, r.bytes);
    renameSync(tmp, file);
    print(`signed ${r.payload.id} ${r.payload.version} in ${file}; the signature expires ${r.payload.expires}`);
  },
};

export const verify: ModelCommand = {
  name: 'models verify',
  usage: 'sonoedge models verify FILE [--config FILE]',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: 'string' } } });
    if (positionals.length !== 1) throw new CommandUsageError('models verify needs one FILE');
    const loaded = loadConfig(values.config);
    const updates = loaded.config.modelUpdates;
    const v = await verifyPackage(readFileSync(positionals[0]!), { trust: trustStoreOf(updates, loaded.baseDir), maxPackageBytes: updates.maxPackageBytes });
    print(`ok: ${v.manifest.id} ${v.manifest.version} (task ${v.manifest.task}), signed by ${v.signer.name} (key ${v.signer.keyid}), signature expires ${v.statement.payload.expires}, ${v.files.size - 1} files match their SHA-256`);
  },
};
