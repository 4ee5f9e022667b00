/**
 * Who owns the data folder, and who is running: the service runs as its own user (User=sonoedge), so a file
 * there that another user made (a CLI run as root) stops it with EACCES. Two guards:
 * - `permissionErrorOf`: an EACCES/EPERM on records.db, a key or the model store, said as a coded error that
 *   names the file, its owner, the running user and the chown that fixes it;
 * - `refuseRootOnForeignDataDir`: the CLI's data-folder commands refuse to run as root on a folder another
 *   user owns, before changing anything (rather than chown what they made: the model store, SQLite's -wal/-shm
 *   and the journals are made in many places, and one missed file is the same outage again).
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCodes, SonoError } from '../errors.js';

/** The name of `id` in /etc/passwd or /etc/group, or undefined (no entry, or no such file). */
function nameIn(file: '/etc/passwd' | '/etc/group', id: number): string | undefined {
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length > 3 && f[2] !== '' && Number(f[2]) === id) return f[0];
    }
  } catch {
    // no passwd (some containers): the number alone is said
  }
  return undefined;
}

export const userNameOf = (uid: number): string | undefined => nameIn('/etc/passwd', uid);

function who(uid: number): string {
  const name = userNameOf(uid);
  return name ? `${name} (uid ${uid})` : `uid ${uid}`;
}

function runningUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** The owner of `path`, or of its nearest existing parent folder (a file not made yet). */
function ownerOf(path: string): { path: string; uid: number; gid: number } | undefined {
  for (let p = path; ; p = dirname(p)) {
    try {
      const st = statSync(p);
      return { path: p, uid: st.uid, gid: st.gid };
    } catch {
      if (dirname(p) === p) return undefined;
    }
  }
}

const isPermissionError = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EACCES' || code === 'EPERM';
};

/**
 * An EACCES/EPERM on `file` (in the data folder `dataDir`) as SONO_DATA_DIR_UNWRITABLE, naming the file's owner,
 * the running user and the fix; undefined for any other error.
 */
export function permissionErrorOf(err: unknown, file: string, dataDir: string, what: string): SonoError | undefined {
  if (!isPermissionError(err)) return undefined;
  const me = runningUid();
  const owner = ownerOf(file);
  const ownerText = owner ? `${owner.path === file ? 'it is' : `${owner.path} is`} owned by ${who(owner.uid)}` : 'its owner is unknown';
  const meName = me === undefined ? undefined : userNameOf(me);
  const gid = process.getgid?.() ?? me;
  const chownTo = meName ? `${meName}:` : me === undefined ? 'sonoedge:' : `${me}:${gid}`;
  const byRoot = owner?.uid === 0 && owner.path === file ? ' (a sonoedge command run as root leaves such files)' : '';
  const fix = existsSync(dataDir)
    ? `Give the data folder back to this user: sudo chown -R ${chownTo} ${dataDir}`
    : `Make the data folder for this user: sudo install -d -m 0700 -o ${meName ?? me ?? 'sonoedge'} -g ${gid ?? 'sonoedge'} ${dataDir}`;
  return new SonoError(
    ErrorCodes.DATA_DIR_UNWRITABLE,
    `Cannot open ${what} ${file}: permission denied for ${me === undefined ? 'this user' : who(me)}, the user running sonoedge; ${ownerText}${byRoot}. ${fix} (then start it again), or pick another --data-dir`,
    { cause: err, details: { file, ownerUid: owner?.uid ?? null, runningUid: me ?? null } },
  );
}

/**
 * Checks that the running user may read and write each existing file of `files` and create files in their
 * folders, so that a root-owned records.db is said as such (SQLite itself would say SQLITE_CANTOPEN, "storage failed").
 */
export function assertWritable(files: readonly string[], dataDir: string, what: string): void {
  const dirs = new Set(files.map((f) => dirname(f)));
  for (const path of [...dirs, ...files]) {
    if (!existsSync(path)) continue;
    try {
      accessSync(path, dirs.has(path) ? constants.W_OK | constants.X_OK : constants.R_OK | constants.W_OK);
    } catch (err) {
      throw permissionErrorOf(err, path, dataDir, dirs.has(path) ? `the folder of ${what}` : what) ?? err;
    }
  }
}

/** Runs `fn`, turning an EACCES/EPERM it throws into `permissionErrorOf`'s coded error. */
export function withPermissionError<T>(file: string, dataDir: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw permissionErrorOf(err, file, dataDir, what) ?? err;
  }
}

const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * For a CLI command that writes in `dataDir`: refuses (SONO_RUN_AS_DATA_OWNER) when run as root on a folder
 * another user owns, and says the command to run instead. A folder not made yet, or owned by root, passes.
 */
export function refuseRootOnForeignDataDir(dataDir: string, args: readonly string[] = process.argv.slice(2)): void {
  if (runningUid() !== 0) return;
  let st;
  try {
    st = statSync(dataDir);
  } catch {
    return;
  }
  if (st.uid === 0) return;
  const name = userNameOf(st.uid);
  const command = ['sonoedge', ...args].map(shellWord).join(' ');
  const as = name ? `sudo -u ${name} ${command}` : `setpriv --reuid=${st.uid} --regid=${st.gid} --clear-groups ${command}`;
  const unit = name ? ` (under systemd-run, add -p User=${name} -p Group=${nameIn('/etc/group', st.gid) ?? st.gid})` : '';
  throw new SonoError(
    ErrorCodes.RUN_AS_DATA_OWNER,
    `The data folder ${dataDir} belongs to ${who(st.uid)}, the user the service runs as; run as root, this command would leave files there that the service cannot open (it would stop with EACCES, or keep the old model). Nothing was changed. Run it as that user: ${as}${unit}`,
    { details: { dataDir, ownerUid: st.uid } },
  );
}
