import { type Static, Type as T } from '@sinclair/typebox';

/** The manifest API versions this runtime can run. A package declaring another is refused, with the reason. */
export const SUPPORTED_API_VERSIONS = [1] as const;

/**
 * A model id: lowercase letters, digits and '-'. It names a folder (`<dataDir>/models/<id>/`), so it can never
 * hold '/', '\\' or '.'.
 */
export const MODEL_ID_PATTERN = '^[a-z0-9][a-z0-9-]*$';
/**
 * A semantic version: MAJOR.MINOR.PATCH, then an optional -pre-release and +build, each dot-separated
 * identifiers of letters, digits and '-' (never empty, so no '..'). It names a folder
 * (`<dataDir>/models/<id>/<version>/`), so it can never hold '/', '\\' or a '..' segment.
 */
export const MODEL_VERSION_PATTERN = '^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$';
/** Longest id or version accepted (both name a folder). */
export const MODEL_NAME_MAX_LENGTH = 64;
const versionRe = new RegExp(MODEL_VERSION_PATTERN);
const idRe = new RegExp(MODEL_ID_PATTERN);

/** Whether `v` is a version this runtime accepts (see MODEL_VERSION_PATTERN). */
export function isModelVersion(v: unknown): boolean {
  return typeof v === 'string' && v.length <= MODEL_NAME_MAX_LENGTH && versionRe.test(v);
}

/** Whether `id` is a model id this runtime accepts (see MODEL_ID_PATTERN). */
export function isModelId(id: unknown): boolean {
  return typeof id === 'string' && id.length <= MODEL_NAME_MAX_LENGTH && idRe.test(id);
}

export const Precision = T.Union([T.Literal('fp32'), T.Literal('int8-qdq-u8'), T.Literal('int8-qdq-s8')]);
export type Precision = Static<typeof Precision>;

export const ModelFile = T.Object(
  {
    precision: Precision,
    providers: T.Array(T.Union([T.Literal('tensorrt'), T.Literal('cuda'), T.Literal('cpu')]), { minItems: 1 }),
    path: T.String({ minLength: 1, pattern: '^[^/\\\\]+$', description: 'File name inside the package folder' }),
    sha256: T.String({ pattern: '^[0-9a-f]{64}$' }),
  },
  { additionalProperties: false },
);
export type ModelFile = Static<typeof ModelFile>;

export const ManifestSchema = T.Object(
  {
    apiVersion: T.Integer(),
    id: T.String({ pattern: MODEL_ID_PATTERN, maxLength: MODEL_NAME_MAX_LENGTH }),
    version: T.String({ pattern: MODEL_VERSION_PATTERN, maxLength: MODEL_NAME_MAX_LENGTH, description: 'Semantic version; names the installed folder' }),
    task: T.String({ minLength: 1, description: 'Analysis that turns outputs into results, e.g. fetal-head' }),
    description: T.String(),
    input: T.Object(
      {
        name: T.String(),
        /** [N, C, H, W]; N must be 1. */
        shape: T.Tuple([T.Literal(1), T.Union([T.Literal(1), T.Literal(3)]), T.Integer({ minimum: 8 }), T.Integer({ minimum: 8 })]),
        layout: T.Literal('NCHW'),
        /** value = (pixel * scale - mean) / std */
        normalize: T.Object({ scale: T.Number(), mean: T.Number(), std: T.Number({ exclusiveMinimum: 0 }) }, { additionalProperties: false }),
        resize: T.Union([T.Literal('letterbox'), T.Literal('stretch')]),
        /** Crop the frame to its imaging region before resizing. */
        cropToRegion: T.Boolean(),
      },
      { additionalProperties: false },
    ),
    outputs: T.Array(
      T.Object(
        {
          name: T.String(),
          meaning: T.String({ description: 'e.g. probability map of class 1, logits of classes' }),
          shape: T.Array(T.Integer()),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
    classes: T.Array(T.String()),
    files: T.Array(ModelFile, { minItems: 1 }),
    provenance: T.Record(T.String(), T.Unknown()),
    evaluation: T.Record(T.String(), T.Unknown()),
  },
  { additionalProperties: false },
);
export type Manifest = Static<typeof ManifestSchema>;
