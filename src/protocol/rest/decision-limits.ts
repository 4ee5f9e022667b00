/**
 * Limits of a clinician's decision on a measurement (POST /api/measurements/:id/decision), checked by the
 * daemon (src/records/measurement-decision.ts) with a coded 400, so a client can check them first.
 *
 * An outline the breast model traces on its 224×288 mask has about one point per boundary cell crossed: a
 * convex lesion filling the whole mask has at most 2 × (224 + 288) = 1024; 4096 leaves four times that for a
 * lobulated or spiculated one, and for an outline a clinician pushed point by point (the UI moves the AI's
 * points, it adds none).
 */
export const MAX_DECISION_OUTLINE_POINTS = 4096;
