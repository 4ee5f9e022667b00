/**
 * BI-RADS categories of a breast lesion, as the analysis proposes them, the clinician may change them and
 * the records and the DICOM SR keep them. One list: the page's selectors are filled from it.
 */
export const LESION_CLASSES = ['normal', 'benign', 'malignant'] as const;
export type LesionClass = (typeof LESION_CLASSES)[number];

/** "parallel": wider than tall; "not-parallel": taller than wide (a suspicious feature). */
export const LESION_ORIENTATIONS = ['parallel', 'not-parallel'] as const;
export type LesionOrientation = (typeof LESION_ORIENTATIONS)[number];

/** "irregular" stands for BI-RADS "not circumscribed" (indistinct, angular, microlobulated, spiculated). */
export const LESION_MARGINS = ['circumscribed', 'irregular'] as const;
export type LesionMargin = (typeof LESION_MARGINS)[number];
