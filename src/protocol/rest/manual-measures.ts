/**
 * The clinician's own distance and area calipers, saved with a capture (issue 18, image review). The page
 * sends the points it measured on the frame; the daemon checks them against that frame, recomputes each value
 * from the points and the frame's pixel spacing, and keeps them beside the AI's measurements.
 */
import { type Static, Type as T } from '@sinclair/typebox';

/** At most this many measures on one capture; an area has at most MAX_AREA_POINTS corners. */
export const MAX_MANUAL_MEASURES = 20;
export const MAX_AREA_POINTS = 64;

export const ManualKindDto = T.Union([T.Literal('distance'), T.Literal('area')], { description: 'distance: two end points; area: a traced outline of 3 or more points' });
export const ManualUnitDto = T.Union([T.Literal('mm'), T.Literal('mm²'), T.Literal('px'), T.Literal('px²')], {
  description: "mm (mm²) with the frame's pixel spacing; px (px²) when the frame has none",
});
const PointDto = T.Array(T.Number(), { minItems: 2, maxItems: 2, description: '[x, y] in frame pixels' });

export const ManualMeasureBody = T.Object(
  {
    kind: ManualKindDto,
    points: T.Array(PointDto, { minItems: 2, maxItems: MAX_AREA_POINTS }),
    value: T.Optional(T.Number({ description: 'The value the page showed; the daemon recomputes it and refuses the capture when they differ' })),
    unit: T.Optional(ManualUnitDto),
  },
  { additionalProperties: false },
);
export type ManualMeasureBody = Static<typeof ManualMeasureBody>;

export const ClinicianMeasurementsBody = T.Array(ManualMeasureBody, {
  maxItems: MAX_MANUAL_MEASURES,
  description: "The clinician's own calipers on this frame (optional; an older client sends none)",
});

/**
 * What may follow the frame message in the body of POST /api/exams/:id/captures/frame: the frame message as
 * /api/live sent it, then (optionally) this object as UTF-8 JSON.
 */
export const CaptureFrameExtras = T.Object(
  {
    clinicianMeasurements: T.Optional(ClinicianMeasurementsBody),
    laterality: T.Optional(T.Union([T.Literal('left'), T.Literal('right')], { description: 'The breast this frame was taken on (required in a breast exam)' })),
  },
  { additionalProperties: false },
);
export type CaptureFrameExtras = Static<typeof CaptureFrameExtras>;
/** Largest JSON trailer a frame message may carry. */
export const MAX_EXTRAS_BYTES = 64 * 1024;

export const ManualMeasureDto = T.Object({
  id: T.String(),
  kind: ManualKindDto,
  n: T.Integer({ minimum: 1, description: 'Its number among the measures of its kind on the capture (D1, D2, A1…)' }),
  points: T.Array(PointDto),
  value: T.Number({ description: "Recomputed by the daemon from the points and the frame's pixel spacing" }),
  unit: ManualUnitDto,
  by: T.Union([T.String(), T.Null()], { description: 'The signed-in user who saved them' }),
  at: T.String(),
});
export type ManualMeasureDto = Static<typeof ManualMeasureDto>;
