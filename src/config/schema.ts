import { type Static, Type as T } from '@sinclair/typebox';
import { StorageConfigSchema } from '../service/storage-config.js';
import { ModelUpdatesSchema } from '../models/updates/config.js';

export const ProviderName = T.Union([T.Literal('tensorrt'), T.Literal('cuda'), T.Literal('cpu')]);
export type ProviderName = Static<typeof ProviderName>;

/** A DICOM AE title: 1–16 characters, no backslash or control characters, not only spaces. */
const AE_TITLE = '^(?=.*[^ ])[^\\\\\\x00-\\x1f]{1,16}$';

const ModelUse = T.Object(
  {
    id: T.String({ minLength: 1, description: 'Model package id (folder name under modelsDir)' }),
    everyN: T.Integer({ minimum: 1, default: 1, description: 'Run on every Nth frame the pipeline takes' }),
  },
  { additionalProperties: false },
);

export const ConfigSchema = T.Object(
  {
    source: T.Object(
      {
        driver: T.String({ default: 'simulated', description: 'Capture driver name (drivers/<name>)' }),
        id: T.String({ default: 'probe', minLength: 1 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Each driver reads the section with its own name and validates it itself. */
    drivers: T.Record(T.String(), T.Record(T.String(), T.Unknown()), { default: {} }),
    media: T.Object(
      {
        folders: T.Array(T.String({ pattern: '^/', description: 'An absolute folder' }), {
          default: [],
          description: 'Folders whose images, videos and DICOM files a network client may play (PUT /api/source); links out of them are refused. Config files may name any path',
        }),
        removable: T.Boolean({ default: true, description: 'Also allow removable media where the desktop mounts it: /media and /run/media' }),
      },
      { additionalProperties: false, default: {} },
    ),
    probeControl: T.Optional(
      T.Object({ driver: T.String({ description: 'Probe-control driver, e.g. serial' }), settings: T.Record(T.String(), T.Unknown(), { default: {} }) }, { additionalProperties: false }),
    ),
    usbHotplug: T.Optional(
      T.Object(
        {
          devices: T.Array(
            T.Object(
              {
                vendorId: T.Integer({ minimum: 0, maximum: 0xffff }),
                productId: T.Integer({ minimum: 0, maximum: 0xffff }),
                name: T.String(),
                driver: T.String(),
                settings: T.Record(T.String(), T.Unknown(), { default: {} }),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false, description: 'Known USB grabbers/probes: plugging one starts its source, unplugging returns to the configured one' },
      ),
    ),
    modelsDir: T.Optional(T.String({ description: 'Folder of model packages; default: the bundled models/' })),
    // The enhancer is a display option: it runs only while a viewer has switched it on.
    models: T.Array(ModelUse, {
      default: [
        { id: 'fetal-head', everyN: 1 },
        { id: 'enhance', everyN: 1 },
      ],
    }),
    inference: T.Object(
      {
        providers: T.Array(ProviderName, { minItems: 1, default: ['tensorrt', 'cuda', 'cpu'] }),
        requireAccelerator: T.Boolean({ default: false }),
        precision: T.Union([T.Literal('int8'), T.Literal('fp32')], { default: 'int8' }),
        intraOpThreads: T.Union([T.Literal('auto'), T.Integer({ minimum: 1, maximum: 64 })], {
          default: 'auto',
          description: 'Threads per CPU session; auto leaves one core to the JS thread live and shares the rest between models (src/inference/threads.ts)',
        }),
        allowSpinning: T.Boolean({ default: false, description: 'Spinning thread pools steal cores from other sessions' }),
        deviceId: T.Integer({ minimum: 0, default: 0 }),
        tensorrt: T.Object(
          {
            engineCacheDir: T.Optional(T.String()),
            fp16: T.Boolean({ default: true }),
            int8: T.Boolean({ default: false }),
          },
          { additionalProperties: false, default: {} },
        ),
        warmupRuns: T.Integer({ minimum: 0, maximum: 100, default: 3 }),
      },
      { additionalProperties: false, default: {} },
    ),
    server: T.Object(
      {
        host: T.String({ default: '127.0.0.1' }),
        port: T.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
        tls: T.Optional(
          T.Union(
            [
              T.Literal('self-signed', { description: 'A device CA and certificate made at first start under <dataDir>/tls' }),
              T.Object({ certFile: T.String({ minLength: 1 }), keyFile: T.String({ minLength: 1 }) }, { additionalProperties: false }),
            ],
            { description: 'HTTPS: your own certificate files, or "self-signed"; absent: plain HTTP (loopback only unless allowInsecureHttp)' },
          ),
        ),
        allowInsecureHttp: T.Boolean({ default: false, description: 'Serve plain HTTP on a non-loopback address (passwords and patient data cross the network in clear)' }),
        allowedHosts: T.Array(T.String({ minLength: 1 }), {
          default: [],
          description: 'Extra names clients use for this device (Host header check against DNS rebinding); its own hostname and addresses are always allowed',
        }),
        rateLimit: T.Object(
          {
            max: T.Integer({ minimum: 1, default: 600, description: 'Requests per client per window' }),
            windowMs: T.Integer({ minimum: 1000, default: 60_000 }),
            signInMax: T.Integer({ minimum: 1, default: 20, description: 'Sign-in attempts per client per window' }),
          },
          { additionalProperties: false, default: {} },
        ),
        maxWebSockets: T.Integer({ minimum: 1, maximum: 1000, default: 16, description: 'Open WebSocket connections at most (live views)' }),
        // optional for configs built in code; a loaded config always has it (default {})
        live: T.Optional(
          T.Object(
            {
              pingIntervalMs: T.Integer({
                minimum: 50,
                maximum: 600_000,
                default: 10_000,
                description: 'Each live view is pinged this often; one that has not answered the previous ping is dropped (a backgrounded tablet frees its place)',
              }),
              slowViewerMs: T.Integer({
                minimum: 50,
                maximum: 600_000,
                default: 15_000,
                description: 'A live view whose unsent backlog stays above two frames this long is dropped (it skips frames meanwhile)',
              }),
              maxViewersPerUser: T.Integer({ minimum: 1, maximum: 1000, default: 4, description: "Live views one user may hold open; a new one closes that user's oldest (close code 4409)" }),
            },
            { additionalProperties: false, default: {} },
          ),
        ),
        requestTimeoutMs: T.Integer({
          minimum: 1000,
          default: 30_000,
          description:
            "A request's headers must arrive within this or 60 s, whichever is shorter, the whole request within this or 60 s, whichever is longer (Node's requestTimeout and headersTimeout, src/server/app.ts); a slower client is cut with 408. A technician's model package upload is paced instead (modelUpdates.upload)",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    dataDir: T.Optional(T.String()),
    storage: StorageConfigSchema,
    access: T.Object(
      {
        sessionIdleMinutes: T.Number({ exclusiveMinimum: 0, default: 30, description: 'A session unused this long ends' }),
        sessionMaxHours: T.Number({ exclusiveMinimum: 0, default: 12, description: 'A session ends this long after sign-in, used or not' }),
        autoLockMinutes: T.Number({ exclusiveMinimum: 0, default: 15, description: 'The touchscreen locks (patient data hidden) after this long without a touch' }),
      },
      { additionalProperties: false, default: {} },
    ),
    worklist: T.Optional(
      T.Object(
        {
          host: T.String({ minLength: 1, description: "The RIS's DICOM Modality Worklist SCP (host name or address)" }),
          port: T.Integer({ minimum: 1, maximum: 65535 }),
          calledAeTitle: T.String({ pattern: AE_TITLE, description: "The RIS's AE title" }),
          callingAeTitle: T.String({ pattern: AE_TITLE, default: 'SONOEDGE', description: "This device's AE title, as the RIS knows it" }),
          timeoutMs: T.Integer({ minimum: 100, maximum: 120000, default: 5000, description: 'Limit for connecting, each answer, and the whole query' }),
        },
        { additionalProperties: false, description: 'DICOM Modality Worklist (C-FIND): the scheduled procedures, so demographics are not typed' },
      ),
    ),
    sync: T.Object(
      {
        targets: T.Array(
          T.Object(
            {
              name: T.String({ pattern: '^[A-Za-z0-9_.-]{1,40}$' }),
              url: T.String({ pattern: '^https?://', description: 'DICOMweb root, e.g. http://host:8042/dicom-web' }),
              username: T.Optional(T.String()),
              password: T.Optional(T.String()),
              token: T.Optional(T.String()),
              caFile: T.Optional(T.String()),
            },
            { additionalProperties: false },
          ),
          { default: [] },
        ),
        dates: T.Union([T.Literal('shift'), T.Literal('remove')], { default: 'shift' }),
        batchSize: T.Integer({ minimum: 1, maximum: 500, default: 25 }),
        retryInitialMs: T.Integer({ minimum: 10, default: 2000 }),
        retryMaxMs: T.Integer({ minimum: 100, default: 300000 }),
        pollMs: T.Integer({ minimum: 10, default: 2000 }),
        pauseBetweenBatchesMs: T.Integer({ minimum: 0, maximum: 60000, default: 300, description: 'Leaves the cores to live inference while a backlog drains' }),
        nice: T.Integer({ minimum: 0, maximum: 19, default: 19, description: 'CPU priority (Linux nice) of the sync process; 19 yields the cores to live inference' }),
        ocr: T.Object(
          {
            minChars: T.Integer({ minimum: 1, maximum: 20, default: 3, description: 'A word read in an outgoing image counts as burned-in text from this many letters or digits' }),
            minConfidence: T.Number({ minimum: 0, maximum: 100, default: 80, description: '…and from this tesseract confidence (speckle reads as words up to ~70; src/ocr/burned-text.ts)' }),
            timeoutMs: T.Integer({ minimum: 100, maximum: 120000, default: 15000, description: 'How long the OCR may take on one image before it is held unchecked' }),
            bin: T.Optional(T.String({ minLength: 1, description: 'The tesseract binary (default: tesseract on PATH)' })),
          },
          { additionalProperties: false, default: {}, description: 'The OCR gate: every outgoing image is read by tesseract; text found holds it for a technician' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    modelUpdates: ModelUpdatesSchema,
    log: T.Object(
      {
        level: T.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => T.Literal(l)),
          { default: 'info' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
