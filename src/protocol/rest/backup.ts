import { type Static, Type as T } from '@sinclair/typebox';

/** A mounted USB stick (or other removable filesystem) the System page can back the records up to. */
export const BackupTargetDto = T.Object({
  path: T.String({ description: 'Mount point; what POST /api/system/backup takes as `to`' }),
  device: T.String({ description: 'e.g. /dev/sda1' }),
  fsType: T.String(),
  freeBytes: T.Number(),
  totalBytes: T.Number(),
});
export type BackupTargetDto = Static<typeof BackupTargetDto>;

export const BackupTargetsDto = T.Object({
  targets: T.Array(BackupTargetDto),
  roots: T.Array(T.String(), { description: 'Folders whose mounts are offered (storage.backupRoots)' }),
  recordsBytes: T.Number({ description: 'Size of the records database: about what a backup needs' }),
});
export type BackupTargetsDto = Static<typeof BackupTargetsDto>;

export const BackupBody = T.Object({ to: T.String({ minLength: 1, maxLength: 4096, description: "One of the targets' paths" }) }, { additionalProperties: false });
export type BackupBody = Static<typeof BackupBody>;

export const BackupDoneDto = T.Object({
  dir: T.String({ description: 'The backup folder written on the target (sonoedge-backup-<UTC time>)' }),
  createdAt: T.String(),
  bytes: T.Number(),
  sha256: T.String(),
  counts: T.Record(T.String(), T.Number(), { description: 'Rows per table in the copy' }),
  deviceSecretWarning: T.Optional(
    T.String({
      description: "Set when the device secret could not be read (torn) and the backup was written without it: a restore of it needs that secret from elsewhere (the manifest's deviceSecretWarning)",
    }),
  ),
});
export type BackupDoneDto = Static<typeof BackupDoneDto>;
