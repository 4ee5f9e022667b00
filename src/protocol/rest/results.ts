import { type Static, Type as T } from '@sinclair/typebox';

/**
 * The AI results a capture keeps, as the models published them. Every field is declared: the response
 * serializer sends only what is listed, so nothing unforeseen leaves with a patient's record. Fields other
 * than `task` are optional: a record written by an earlier version may lack some, and must still be sent.
 */
const Num = T.Number();
export const FlagDto = T.Object({ code: T.String(), severity: T.Union([T.Literal('info'), T.Literal('warning'), T.Literal('alert')]), message: T.String() });
export type FlagDto = Static<typeof FlagDto>;
export const SegmentDto = T.Object({ x1: Num, y1: Num, x2: Num, y2: Num }, { description: 'Caliper end points, frame pixels' });
export type SegmentDto = Static<typeof SegmentDto>;
export const OutlineDto = T.Object({ outline: T.Array(Num) }, { description: 'Closed outline, flat [x0, y0, x1, y1, …] in frame pixels' });
export type OutlineDto = Static<typeof OutlineDto>;

const Centile = T.Union([T.Object({ available: T.Literal(true), z: Num, centile: Num, medianMm: Num, sdMm: Num }), T.Object({ available: T.Literal(false), reason: T.String() })]);
export const FetalHeadResultDto = T.Object({
  task: T.Literal('fetal-head'),
  detected: T.Optional(T.Boolean()),
  ellipse: T.Optional(T.Object({ cx: Num, cy: Num, semiMajor: Num, semiMinor: Num, angleDeg: Num })),
  contour: T.Optional(T.Array(Num)),
  hcPx: T.Optional(Num),
  hcMm: T.Optional(Num),
  bpdMm: T.Optional(Num),
  ofdMm: T.Optional(Num),
  gaWeeks: T.Optional(Num),
  centile: T.Optional(Centile),
  confidence: T.Optional(Num),
  quality: T.Optional(T.Object({ score: Num, components: T.Object({ fitResidual: Num, edgeCut: Num, modelConfidence: Num, maskPlausibility: Num }) })),
  flags: T.Optional(T.Array(FlagDto)),
});
export type FetalHeadResultDto = Static<typeof FetalHeadResultDto>;

const LesionClass = T.Union([T.Literal('normal'), T.Literal('benign'), T.Literal('malignant')]);
export const LesionDto = T.Object({
  units: T.Union([T.Literal('mm'), T.Literal('px')]),
  maxDiameter: Num,
  perpendicularDiameter: Num,
  area: Num,
  width: Num,
  height: Num,
  longAxis: SegmentDto,
  perpendicularAxis: SegmentDto,
  orientation: T.Object({ angleDeg: Num, heightToWidth: Num, tallerThanWide: T.Boolean(), assessment: T.Union([T.Literal('parallel'), T.Literal('not-parallel')]) }),
  margin: T.Object({ solidity: Num, convexity: Num, assessment: T.Union([T.Literal('circumscribed'), T.Literal('irregular')]) }),
  outline: T.Array(Num),
});
export const BreastLesionResultDto = T.Object({
  task: T.Literal('breast-lesion'),
  class: T.Optional(T.Union([LesionClass, T.Null()])),
  probabilities: T.Optional(T.Object({ normal: Num, benign: Num, malignant: Num })),
  malignancyProbability: T.Optional(Num),
  confidence: T.Optional(Num),
  lesionPresent: T.Optional(T.Boolean()),
  maskConfidence: T.Optional(Num),
  lesion: T.Optional(LesionDto),
  summary: T.Optional(T.String()),
  flags: T.Optional(T.Array(FlagDto)),
});
export type BreastLesionResultDto = Static<typeof BreastLesionResultDto>;

/** A model that is neither (e.g. a future task): its name only, never its raw payload. */
const OtherResultDto = T.Object({ task: T.String() });

export const StoredResultDto = T.Object({
  modelId: T.String(),
  modelVersion: T.String(),
  provider: T.String(),
  result: T.Union([FetalHeadResultDto, BreastLesionResultDto, OtherResultDto]),
});
export type StoredResultDto = Static<typeof StoredResultDto>;
