/**
 * What every SR document sonoedge writes shares (the TID 1500 measurement report, src/sync/sr.ts, and the
 * TID 5000 OB report, src/sync/ob-report.ts): the document header (SOP Common, study, series, evidence,
 * Contributing Equipment naming the algorithm as IHE AI Results asks, template, status and verifier), the
 * observation context (TID 1001: the algorithm as device observer, each deciding clinician as a person), the
 * language and procedure modifiers, comments, and an image reference.
 */
import { contributionDescription } from './descriptors.js';
import { type Dataset, UTC_OFFSET } from './dicom-file.js';
import { COMPREHENSIVE_SR, type DocumentStatus, statusAttributes, verifierAttributes } from './sr-revision-status.js';
import { type StudyContext, studyAttributes } from './us-image.js';

export type Code = { CodeValue: string; CodingSchemeDesignator: string; CodeMeaning: string };
export const code = (v: string, s: string, m: string): Code => ({ CodeValue: v, CodingSchemeDesignator: s, CodeMeaning: m });

export interface ImageRef {
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
}

/** What the shared parts read of a report's input (src/sync/sr.ts SrInput has it all). */
export interface SrDocumentInput {
  seriesInstanceUid: string;
  sopInstanceUid: string;
  contentDate: string;
  contentTime: string;
  groups: Array<{ image?: ImageRef | undefined; measurements: Array<{ decidedBy: string | null }>; manual?: Array<{ by: string | null }> | undefined }>;
  algorithm: { name: string; version: string; deviceUid: string; provider: string };
  notes: string[];
  status?: DocumentStatus | undefined;
  instanceNumber?: number | undefined;
}

/**
 * The clinicians who decided or measured, in the order their measurements appear: each is a person observer.
 * De-identification (src/sync/deidentify.ts) gives each their keyed alias, the same in every revision and exam
 * whatever the order, and replaces their name in a Finding's text with it.
 */
export function decidersOf(sr: SrDocumentInput): string[] {
  return [...new Set(sr.groups.flatMap((g) => [...g.measurements.map((m) => m.decidedBy), ...(g.manual ?? []).map((m) => m.by)]).filter((x): x is string => !!x))];
}

/** Observation context (TID 1001): the algorithm as a device observer, each deciding clinician as a person observer. */
export function observerContext(sr: SrDocumentInput): Dataset[] {
  return [
    { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'CODE', ConceptNameCodeSequence: [code('121005', 'DCM', 'Observer Type')], ConceptCodeSequence: [code('121007', 'DCM', 'Device')] },
    { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'UIDREF', ConceptNameCodeSequence: [code('121012', 'DCM', 'Device Observer UID')], UID: sr.algorithm.deviceUid },
    { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'TEXT', ConceptNameCodeSequence: [code('121013', 'DCM', 'Device Observer Name')], TextValue: `${sr.algorithm.name} ${sr.algorithm.version}` },
    ...decidersOf(sr).flatMap((p) => [
      { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'CODE', ConceptNameCodeSequence: [code('121005', 'DCM', 'Observer Type')], ConceptCodeSequence: [code('121006', 'DCM', 'Person')] },
      { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'PNAME', ConceptNameCodeSequence: [code('121008', 'DCM', 'Person Observer Name')], PersonName: p.slice(0, 64) },
    ]),
  ];
}

/** The items a report opens with: its language, the observers, the procedure reported. */
export function openingItems(sr: SrDocumentInput, procedure: Code): Dataset[] {
  return [
    {
      RelationshipType: 'HAS CONCEPT MOD',
      ValueType: 'CODE',
      ConceptNameCodeSequence: [code('121049', 'DCM', 'Language of Content Item and Descendants')],
      ConceptCodeSequence: [code('en', 'RFC5646', 'English')],
    },
    ...observerContext(sr),
    { RelationshipType: 'HAS CONCEPT MOD', ValueType: 'CODE', ConceptNameCodeSequence: [code('121058', 'DCM', 'Procedure reported')], ConceptCodeSequence: [procedure] },
  ];
}

/** Free-text comments (DCM 121106). */
export function commentItems(texts: readonly string[]): Dataset[] {
  return texts.map((t) => ({ RelationshipType: 'CONTAINS', ValueType: 'TEXT', ConceptNameCodeSequence: [code('121106', 'DCM', 'Comment')], TextValue: t }));
}

/** The image a value was measured on (INFERRED FROM), or nothing. */
export function inferredFrom(image: ImageRef | undefined): Dataset[] {
  return image
    ? [{ RelationshipType: 'INFERRED FROM', ValueType: 'IMAGE', ReferencedSOPSequence: [{ ReferencedSOPClassUID: image.sopClassUid, ReferencedSOPInstanceUID: image.sopInstanceUid }] }]
    : [];
}

/** Contributing Equipment naming the algorithm (IHE AI Results). */
export function algorithmEquipment(sr: SrDocumentInput): Dataset[] {
  return [
    {
      PurposeOfReferenceCodeSequence: [code('Newcode1', '99IHE', 'Processing Algorithm')],
      Manufacturer: 'sonoedge',
      ManufacturerModelName: sr.algorithm.name,
      SoftwareVersions: sr.algorithm.version,
      DeviceUID: sr.algorithm.deviceUid,
      ContributionDescription: contributionDescription(sr.algorithm.provider),
    },
  ];
}

export function evidence(studyUid: string, images: ImageRef[]): Dataset[] {
  if (images.length === 0) return [];
  const bySeries = new Map<string, ImageRef[]>();
  for (const i of images) bySeries.set(i.seriesInstanceUid, [...(bySeries.get(i.seriesInstanceUid) ?? []), i]);
  return [
    {
      StudyInstanceUID: studyUid,
      ReferencedSeriesSequence: [...bySeries].map(([series, list]) => ({
        SeriesInstanceUID: series,
        ReferencedSOPSequence: list.map((i) => ({ ReferencedSOPClassUID: i.sopClassUid, ReferencedSOPInstanceUID: i.sopInstanceUid })),
      })),
    },
  ];
}

export interface DocumentKind {
  title: Code;
  /** DCMR template identifier, e.g. '1500' */
  template: string;
  seriesDescription: string;
  seriesNumber: number;
  /** Coding Scheme Identification Sequence items, when private codes are used (SOP Common, C.12.1.1.2) */
  codingSchemes?: Dataset[] | undefined;
}

/** The whole Comprehensive SR instance around `content`. */
export function srDocument(study: StudyContext, sr: SrDocumentInput, kind: DocumentKind, content: Dataset[]): Dataset {
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: COMPREHENSIVE_SR,
    SOPInstanceUID: sr.sopInstanceUid,
    TimezoneOffsetFromUTC: UTC_OFFSET, // the dates, times and Verification DateTime below are UTC
    ...(kind.codingSchemes ? { CodingSchemeIdentificationSequence: kind.codingSchemes } : {}),
    ...studyAttributes(study),
    ContentDate: sr.contentDate,
    ContentTime: sr.contentTime,
    Modality: 'SR',
    SeriesDescription: kind.seriesDescription,
    SeriesInstanceUID: sr.seriesInstanceUid,
    SeriesNumber: kind.seriesNumber,
    InstanceNumber: sr.instanceNumber ?? 1,
    ReferencedPerformedProcedureStepSequence: [],
    CurrentRequestedProcedureEvidenceSequence: evidence(
      study.studyInstanceUid,
      sr.groups.flatMap((g) => (g.image ? [g.image] : [])),
    ),
    ContributingEquipmentSequence: algorithmEquipment(sr),
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [kind.title],
    ContinuityOfContent: 'SEPARATE',
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: kind.template }],
    ...statusAttributes(sr.status),
    PerformedProcedureCodeSequence: [],
    ContentSequence: content,
    ...verifierAttributes(sr.status),
  };
}
