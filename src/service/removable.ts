/**
 * Where a backup may go from the System page: filesystems mounted under the removable-media folders
 * (storage.backupRoots: /media, /run/media, /mnt by default, where udisks and a technician mount a USB stick),
 * on another device than the data folder. Read from /proc/self/mounts at each look, so a stick plugged in after
 * start-up appears; a folder under /media that is not a mount point is not offered (writing there would fill
 * the internal disk, not the stick).
 */
import { readFileSync, statSync, statfsSync } from 'node:fs';
import { resolve, sep } from 'node:path';

export interface RemovableTarget {
  /** The mount point: what POST /api/system/backup takes as `to`. */
  path: string;
  device: string;
  fsType: string;
  freeBytes: number;
  totalBytes: number;
}

/** /proc/mounts escapes spaces and the like as octal (\040). */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

function under(path: string, root: string): boolean {
  const r = resolve(root);
  return path !== r && path.startsWith(r.endsWith(sep) ? r : r + sep);
}

/** Mounted filesystems under `roots`, not on the data folder's device, writable; newest mount last. */
export function removableTargets(roots: readonly string[], dataDir: string, mountsFile = '/proc/self/mounts'): RemovableTarget[] {
  let dataDev: number | undefined;
  try {
    dataDev = statSync(dataDir).dev;
  } catch {
    dataDev = undefined;
  }
  const seen = new Map<string, RemovableTarget>();
  for (const line of readFileSync(mountsFile, 'utf8').split('\n')) {
    const [device, mnt, fsType, options] = line.split(' ');
    if (!device || !mnt || !fsType || !options) continue;
    const path = unescapeMount(mnt);
    if (!roots.some((r) => under(path, r))) continue;
    if (options.split(',').includes('ro')) continue;
    try {
      if (statSync(path).dev === dataDev) continue;
      const s = statfsSync(path);
      seen.set(path, { path, device: unescapeMount(device), fsType, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize });
    } catch {
      // unmounted between the read and the stat, or not readable by the service user: not offered
    }
  }
  return [...seen.values()];
}
