import { type Static, Type as T } from '@sinclair/typebox';

/** `storage.retention:` what is dropped once the PACS holds it (src/service/retention.ts). */
export const RetentionConfigSchema = T.Object(
  {
    dropPixelsAfterDays: T.Integer({
      minimum: 0,
      maximum: 36500,
      default: 0,
      description:
        'Days after closing when the pixels (captured frames, images kept after sending) of a signed exam every sync target has acknowledged are dropped; the record, measurements, decisions and SR stay. 0 keeps them forever',
    }),
    checkIntervalMinutes: T.Integer({ minimum: 1, maximum: 10_080, default: 60, description: 'How often exams are looked at (also once at start-up)' }),
  },
  { additionalProperties: false, default: {} },
);

export type RetentionConfig = Static<typeof RetentionConfigSchema>;

/** `storage:` in the config file: free-space levels of the data folder's filesystem (src/service/disk-guard.ts) and retention. */
export const StorageConfigSchema = T.Object(
  {
    warnFreeMb: T.Integer({ minimum: 0, default: 2048, description: 'Below this much free space (MiB) health and the UI warn' }),
    stopCineFreeMb: T.Integer({ minimum: 0, default: 1024, description: 'Below this, cine (kept frame sequences) is no longer written' }),
    refuseFreeMb: T.Integer({ minimum: 0, default: 256, description: 'Below this, new exams and captures are refused (SONO_DISK_LOW) so the database never runs out of room mid-write' }),
    checkIntervalMs: T.Integer({ minimum: 100, maximum: 600_000, default: 10_000, description: 'How often the level is re-read for health and metrics; writes check it afresh' }),
    retention: RetentionConfigSchema,
    backupRoots: T.Array(T.String({ minLength: 1 }), {
      default: ['/media', '/run/media', '/mnt'],
      description: 'Filesystems mounted under these folders (a USB stick) are offered as backup targets on the System page',
    }),
  },
  { additionalProperties: false, default: {} },
);

export type StorageConfig = Static<typeof StorageConfigSchema>;
