/** The imaging region of the current source (PUT/GET /api/source/region) and held outgoing images. */
import { type Static, Type as T } from '@sinclair/typebox';

const Px = T.Number({ minimum: -1e6, maximum: 1e6 });
export const RectDto = T.Object({ x: Px, y: Px, width: Px, height: Px }, { additionalProperties: false });
export const FanDto = T.Object(
  {
    apexX: Px,
    apexY: Px,
    innerRadius: Px,
    outerRadius: Px,
    startAngleDeg: T.Number({ minimum: -360, maximum: 360, description: 'From straight down, towards +x positive' }),
    endAngleDeg: T.Number({ minimum: -360, maximum: 360 }),
  },
  { additionalProperties: false },
);
export const DepthScaleDto = T.Object(
  { x1: Px, y1: Px, x2: Px, y2: Px, distanceMm: T.Number({ minimum: -1e6, maximum: 1e6, description: "Distance between the two taps on the scanner's depth scale (mm)" }) },
  { additionalProperties: false },
);

/** Depth-scale taps replace a spacing the source declares with its frames only when this says so (else 409). */
const OverrideDeclared = T.Optional(
  T.Boolean({ description: 'true: the depth-scale taps replace the pixel spacing the source declares (asked first); without it such taps answer 409 SONO_SPACING_OVERRIDE_UNCONFIRMED' }),
);
export const RegionBody = T.Union([
  T.Object({ rect: RectDto, scale: T.Optional(DepthScaleDto), overrideDeclaredSpacing: OverrideDeclared }, { additionalProperties: false }),
  T.Object({ fan: FanDto, scale: T.Optional(DepthScaleDto), overrideDeclaredSpacing: OverrideDeclared }, { additionalProperties: false }),
  T.Object({ clear: T.Literal(true) }, { additionalProperties: false }),
]);
export type RegionBody = Static<typeof RegionBody>;

const Region = T.Object({ x: T.Integer(), y: T.Integer(), width: T.Integer(), height: T.Integer() });
export const RegionStateDto = T.Object({
  /** set: a technician's; source: declared by the source (a DICOM file's ultrasound regions); unset: none (captures are not sent) */
  origin: T.Union([T.Literal('set'), T.Literal('source'), T.Literal('unset'), T.Literal('unknown')]),
  region: T.Union([Region, T.Null()]),
  rect: T.Optional(RectDto),
  fan: T.Optional(FanDto),
  frame: T.Union([T.Object({ width: T.Integer(), height: T.Integer() }), T.Null()]),
  pixelSpacing: T.Union([T.Object({ x: T.Number(), y: T.Number() }), T.Null()]),
  setBy: T.Union([T.String(), T.Null()]),
  savedAt: T.Union([T.String(), T.Null()]),
  /** Why the source's captures are not sent (SONO_REGION_NOT_SET), or null. */
  reason: T.Union([T.String(), T.Null()]),
  /** The device or input regions are kept for (`<driver>@<identity>`, src/capture/source-identity.ts). */
  source: T.Optional(T.String()),
  /** Why a stored region is not applied to this source (one an earlier version saved without its device), or null. */
  notApplied: T.Optional(T.Union([T.String(), T.Null()])),
});
export type RegionStateDto = Static<typeof RegionStateDto>;

export const Box = T.Object({ x: Px, y: Px, width: T.Number({ minimum: 0, maximum: 1e6 }), height: T.Number({ minimum: 0, maximum: 1e6 }) }, { additionalProperties: false });
export const ReleaseBody = T.Object(
  {
    mask: T.Optional(T.Array(Box, { maxItems: 64, description: 'Boxes blacked out before the image is read again and sent; absent: release as it is (BurnedInAnnotation YES)' })),
  },
  { additionalProperties: false },
);
export type ReleaseBody = Static<typeof ReleaseBody>;
export const ReleaseDto = T.Object({ sopInstanceUid: T.String(), state: T.Union([T.Literal('released'), T.Literal('checking')]) });
export const ItemParams = T.Object({ id: T.Integer({ minimum: 1 }) });
export type ItemParams = Static<typeof ItemParams>;
