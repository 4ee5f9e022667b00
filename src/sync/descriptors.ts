/**
 * Every descriptor sonoedge writes (Series Description, Contribution Description): a fixed vocabulary, built
 * here once, that names a kind of series or a processing step and never a person, place, date or device. The
 * Basic profile removes both attributes (PS3.15 Table E.1-1: X); de-identification (src/sync/deidentify.ts)
 * applies the Clean Descriptors Option (113105) instead: a value from this vocabulary is known to hold no
 * identifying information and stays, so a PACS still tells the raw images from the overlays, clips and
 * reports; any other value (one written before this vocabulary, or by a future writer that does not use it)
 * is removed, the Basic profile's own action.
 */
import type { ExamType } from '../records/types.js';

const SERIES_NAME: Record<ExamType, string> = { obstetric: 'Fetal head', breast: 'Breast lesion' };

/** The image series of an exam: its raw captures, their overlay renderings, its cine clips. */
export function imageSeriesDescription(examType: ExamType, series: 'raw' | 'overlay' | 'cine'): string {
  const name = SERIES_NAME[examType];
  return series === 'raw' ? name : series === 'overlay' ? `${name} with overlay` : `${name} cine`;
}

/** The TID 1500 measurement report's series (src/sync/sr.ts). */
export function measurementReportDescription(examType: ExamType): string {
  return examType === 'breast' ? 'Breast lesion (AI results)' : 'Fetal biometry (AI results)';
}

/** The TID 5000 OB report's series (src/sync/ob-report.ts writes this literal). */
export const OB_REPORT_DESCRIPTION = 'OB-GYN ultrasound report';

/** Where the AI ran (src/config/schema.ts ProviderName), or 'unknown' for a result that did not say. */
const PROVIDERS = ['tensorrt', 'cuda', 'cpu', 'unknown'] as const;

/** Contribution Description of the algorithm in Contributing Equipment (IHE AI Results). */
export function contributionDescription(provider: string): string {
  return `AI segmentation and biometry on ${provider}`;
}

const EXAM_TYPES = Object.keys(SERIES_NAME) as ExamType[];
const VOCABULARY: ReadonlySet<string> = new Set([
  ...EXAM_TYPES.flatMap((t) => [imageSeriesDescription(t, 'raw'), imageSeriesDescription(t, 'overlay'), imageSeriesDescription(t, 'cine'), measurementReportDescription(t)]),
  OB_REPORT_DESCRIPTION,
  ...PROVIDERS.map(contributionDescription),
]);

/** Whether a descriptor is one of sonoedge's own fixed values (Clean Descriptors: kept), not free text (removed). */
export function isCleanDescriptor(value: unknown): boolean {
  return typeof value === 'string' && VOCABULARY.has(value);
}
