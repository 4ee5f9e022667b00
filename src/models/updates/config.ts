import { type Static, Type as T } from '@sinclair/typebox';

/** A trusted signing key: the `signing.pub` contents (PEM), or a path to that file, with an optional expiry. */
export const TrustedKeyConfig = T.Union([
  T.String({ minLength: 1, description: 'signing.pub contents (PEM) or a path to it' }),
  T.Object(
    {
      key: T.String({ minLength: 1, description: 'signing.pub contents (PEM) or a path to it' }),
      expires: T.Optional(T.String({ minLength: 1, description: 'ISO 8601 instant after which the key is no longer trusted' })),
      name: T.Optional(T.String({ description: 'Who holds the key, shown in reports' })),
    },
    { additionalProperties: false },
  ),
]);
export type TrustedKeyConfig = Static<typeof TrustedKeyConfig>;

/**
 * How a package upload over HTTP (POST /api/models) is paced (src/models/updates/upload-pace.ts). It is exempt
 * from `server.requestTimeoutMs`, which would cut a 13 MB package on a link under ~0.45 MB/s: it may last as long
 * as bytes keep coming at `minBytesPerSecond` over every `windowMs`, up to `maxMs` in all. Read at start-up.
 */
export const UploadPaceSchema = T.Object(
  {
    minBytesPerSecond: T.Integer({ minimum: 1, default: 4096, description: 'An upload bringing less than this per second, averaged over windowMs, is stopped (a stalled or trickling client)' }),
    windowMs: T.Integer({ minimum: 1000, default: 30_000, description: 'The span the rate is averaged over: a Wi-Fi drop shorter than this is tolerated' }),
    maxMs: T.Integer({ minimum: 1000, default: 3_600_000, description: 'The longest an upload may take in all' }),
  },
  { additionalProperties: false, default: {} },
);
export type UploadPaceConfig = Static<typeof UploadPaceSchema>;

/**
 * `modelUpdates` in the config. The health window watches a freshly activated model over its first
 * results (counted, not timed, so a quiet device does not pass a model it never ran) and rolls it back
 * when errors, slow runs or insane outputs exceed these fractions.
 */
export const ModelUpdatesSchema = T.Object(
  {
    trustedKeys: T.Array(TrustedKeyConfig, { default: [], description: 'Keys trusted besides the built-in release key (several for rotation)' }),
    revokedKeys: T.Array(T.String({ minLength: 1 }), { default: [], description: 'Key ids (as `models verify` prints them) or public keys (PEM or path) never trusted again, the release key included' }),
    maxPackageBytes: T.Integer({ minimum: 1024, default: 256 * 1024 * 1024, description: 'Largest package file (and largest total unpacked size) accepted' }),
    allowDowngrade: T.Boolean({ default: false, description: 'Never set this on a device in use; a technician overrides per install instead' }),
    upload: UploadPaceSchema,
    healthWindow: T.Object(
      {
        results: T.Integer({ minimum: 1, default: 300, description: 'Results watched after an activation' }),
        maxErrorFraction: T.Number({ minimum: 0, maximum: 1, default: 0.05 }),
        maxLatencyMs: T.Number({ exclusiveMinimum: 0, default: 500, description: 'A run slower than this counts as slow' }),
        maxSlowFraction: T.Number({ minimum: 0, maximum: 1, default: 0.2 }),
        maxInsaneFraction: T.Number({ minimum: 0, maximum: 1, default: 0.05, description: 'Outputs with NaN/Inf or outside the declared range' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
export type ModelUpdatesConfig = Static<typeof ModelUpdatesSchema>;
export type HealthWindowConfig = ModelUpdatesConfig['healthWindow'];
