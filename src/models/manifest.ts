import { type Static, Type as T } from '@sinclair/typebox';

/** The manifest API versions this runtime can run. A package declaring another is refused, with the reason. */
export const SUPPORTED_API_VERSIONS = [1] as const;

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
    id: T.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    version: T.String({ pattern: '^\\d+\\.\\d+\\.\\d+([-+].+)?$' }),
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
