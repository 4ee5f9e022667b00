/**
 * What de-identification (src/sync/deidentify.ts) does with each attribute sonoedge's writers emit (US image,
 * US multi-frame, the TID 1500 and TID 5000 Comprehensive SRs), from DICOM PS3.15 Table E.1-1 (Basic
 * Application Level Confidentiality Profile, 113100) and the options applied: Clean Structured Content
 * (113104), Clean Descriptors (113105), and with shifted dates Retain Longitudinal Temporal Information with
 * Modified Dates (113107). An attribute the table does not list is kept only when OUTSIDE_TABLE names it (read
 * and found harmless); any other attribute, at any depth, is removed. A writer that adds an attribute must
 * classify it here (test/sync/deid-profile checks every attribute of every kind of instance).
 */

export type TemporalVr = 'DA' | 'TM' | 'DT';

/**
 * The action taken. `uid`: U, a keyed replacement, the same wherever the UID appears. `empty`: Z. `remove`: X.
 * `dummy`: D, a fixed value valid for the VR. `person`: D, the person's keyed alias (clinicianAlias).
 * `pseudonym`: Z with the patient's keyed pseudonym instead of an empty value; with `pn`, written as a Person
 * Name whose family name is the pseudonym (`SE…^`: one without a component delimiter is the retired PN form
 * dciodvfy warns about). `temporal`: shifted with 113107,
 * else the Basic action `removed` (Z/D: empty unless Type 1 in the IOD, then a dummy). `descriptor`: X, or
 * kept when one of sonoedge's fixed descriptors (113105, src/sync/descriptors.ts). `text`: a Content Sequence
 * TEXT value, cleaned (113104): names replaced by aliases, ISO instants shifted or removed with the dates.
 * `timezone`: X; with 113107 kept at +0000 (every date and time written is UTC, telling nothing of the place).
 */
export type Action =
  | { do: 'uid' | 'empty' | 'remove' | 'person' | 'pseudonym' | 'descriptor' | 'text' | 'timezone' }
  | { do: 'pseudonym'; pn: true }
  | { do: 'dummy'; value: string }
  | { do: 'temporal'; vr: TemporalVr; removed: 'Z' | 'X' | 'D' | 'Z/D' };

/** Dummy values (action D) that stay valid for their VR and name no real day, time or organization. */
export const DUMMY = { DA: '19000101', TM: '000000', DT: '19000101000000', LO: 'REMOVED' } as const;

const t = (vr: TemporalVr, removed: 'Z' | 'X' | 'D' | 'Z/D'): Action => ({ do: 'temporal', vr, removed });

/**
 * Table E.1-1 attributes, keyed by dcmjs keyword, each with its Basic profile action (in the comment) and the
 * action applied. Several are not written today (marked so) and are listed so that they never leave if a
 * writer adds them without looking here.
 */
export const PROFILE: Readonly<Record<string, Action>> = {
  // U: every UID is replaced consistently (keyedUid), references included
  StudyInstanceUID: { do: 'uid' },
  SeriesInstanceUID: { do: 'uid' },
  SOPInstanceUID: { do: 'uid' },
  ReferencedSOPInstanceUID: { do: 'uid' },
  UID: { do: 'uid' }, // (0040,A124) an SR UIDREF: Tracking Unique Identifier, Device Observer UID
  DeviceUID: { do: 'uid' },
  FrameOfReferenceUID: { do: 'uid' }, // not written today
  // Patient: Z (Patient's Name and ID get the keyed pseudonym so one patient's exams still link)
  PatientName: { do: 'pseudonym', pn: true },
  PatientID: { do: 'pseudonym' },
  PatientBirthDate: { do: 'empty' },
  PatientSex: { do: 'empty' },
  PatientAddress: { do: 'remove' }, // X, not written today
  OtherPatientIDs: { do: 'remove' }, // X, not written today
  // Study: Z
  AccessionNumber: { do: 'empty' },
  StudyID: { do: 'empty' },
  ReferringPhysicianName: { do: 'empty' },
  StudyDescription: { do: 'descriptor' }, // X (113105: C), not written today
  // Series and equipment
  SeriesDescription: { do: 'descriptor' }, // X (113105: C)
  ContributionDescription: { do: 'descriptor' }, // X (113105: C), in Contributing Equipment
  DeviceSerialNumber: { do: 'remove' }, // X/Z/D: X, Type 3 in General Equipment
  InstitutionName: { do: 'remove' }, // X/Z/D, not written today
  StationName: { do: 'remove' }, // X/Z/D, not written today
  OperatorsName: { do: 'remove' }, // X/Z/D, not written today
  PerformingPhysicianName: { do: 'remove' }, // X, not written today
  ContentCreatorName: { do: 'empty' }, // Z, not written today
  ReferencedPerformedProcedureStepSequence: { do: 'empty' }, // X/Z/D: Z, Type 2 in SR Document General (written empty)
  // SR document: Verifying Observer Sequence D (its items kept, each attribute with its own action)
  VerifyingObserverName: { do: 'person' }, // D
  VerifyingOrganization: { do: 'dummy', value: DUMMY.LO }, // D, Type 1 in the Verifying Observer Sequence
  VerifyingObserverIdentificationCodeSequence: { do: 'empty' }, // Z (written empty)
  PersonName: { do: 'person' }, // D, an SR PNAME (Person Observer Name)
  PersonIdentificationCodeSequence: { do: 'remove' }, // D, not written today: removed with its codes
  TextValue: { do: 'text' }, // in Content Sequence (D; 113104: C)
  // dates and times: Z, X, D or Z/D as the table gives; shifted with 113107
  StudyDate: t('DA', 'Z'),
  StudyTime: t('TM', 'Z'),
  SeriesDate: t('DA', 'X'), // X/D: Type 3 in General Series
  SeriesTime: t('TM', 'X'),
  ContentDate: t('DA', 'Z/D'), // Type 2C in General Image, Type 1 in SR Document General
  ContentTime: t('TM', 'Z/D'),
  AcquisitionDate: t('DA', 'X'), // X/Z, not written today
  AcquisitionTime: t('TM', 'X'), // X/Z, not written today
  InstanceCreationDate: t('DA', 'X'), // not written today
  InstanceCreationTime: t('TM', 'X'), // not written today
  VerificationDateTime: t('DT', 'D'), // not in the table; a date all the same: Type 1 in the Verifying Observer Sequence
  Date: t('DA', 'D'), // (0040,A121) an SR DATE content item's value (113104 cleans Content Sequence)
  Time: t('TM', 'D'), // (0040,A122) TIME
  DateTime: t('DT', 'D'), // (0040,A120) DATETIME
  TimezoneOffsetFromUTC: { do: 'timezone' }, // X
};

/**
 * Attributes sonoedge writes that Table E.1-1 does not list, each read and found to say nothing of the patient,
 * the clinicians, the place or the time: kept. (Sequences here are walked; their items' attributes are
 * classified one by one.)
 */
export const OUTSIDE_TABLE: ReadonlySet<string> = new Set([
  // SOP Common, General Equipment, General Series, General Image, Image Pixel
  'SpecificCharacterSet',
  'SOPClassUID',
  'Modality',
  'SeriesNumber',
  'InstanceNumber',
  'Laterality',
  // L or R of a breast image: the side, nothing of the patient (PS3.15 Table E.1-1 does not list it)
  'ImageLaterality',
  'PatientOrientation',
  'ImageType',
  'BurnedInAnnotation',
  'LossyImageCompression',
  'Manufacturer',
  'ManufacturerModelName',
  'SoftwareVersions',
  'SamplesPerPixel',
  'PhotometricInterpretation',
  'Rows',
  'Columns',
  'BitsAllocated',
  'BitsStored',
  'HighBit',
  'PixelRepresentation',
  'CodingSchemeIdentificationSequence',
  'CodingSchemeDesignator',
  'CodingSchemeName',
  'CodingSchemeResponsibleOrganization', // sonoedge's own (its private 99SONO codes)
  // US Region Calibration
  'SequenceOfUltrasoundRegions',
  'RegionSpatialFormat',
  'RegionDataType',
  'RegionFlags',
  'RegionLocationMinX0',
  'RegionLocationMinY0',
  'RegionLocationMaxX1',
  'RegionLocationMaxY1',
  'PhysicalUnitsXDirection',
  'PhysicalUnitsYDirection',
  'PhysicalDeltaX',
  'PhysicalDeltaY',
  // Multi-frame and Cine
  'NumberOfFrames',
  'FrameIncrementPointer',
  'FrameTimeVector',
  'RecommendedDisplayFrameRate',
  'CineRate',
  // SR Document General and Content: structure, codes, numbers and image coordinates (TEXT, PNAME, UIDREF and
  // dates are classified above)
  'CompletionFlag',
  'VerificationFlag',
  'VerifyingObserverSequence',
  'PredecessorDocumentsSequence',
  'CurrentRequestedProcedureEvidenceSequence',
  'ReferencedSeriesSequence',
  'ReferencedSOPSequence',
  'ReferencedSOPClassUID',
  'PerformedProcedureCodeSequence',
  'ContributingEquipmentSequence',
  'PurposeOfReferenceCodeSequence',
  'ContentTemplateSequence',
  'MappingResource',
  'TemplateIdentifier',
  'ContentSequence',
  'RelationshipType',
  'ValueType',
  'ContinuityOfContent',
  'ConceptNameCodeSequence',
  'ConceptCodeSequence',
  'CodeValue',
  'CodeMeaning',
  'MeasuredValueSequence',
  'MeasurementUnitsCodeSequence',
  'NumericValue',
  'GraphicType',
  'GraphicData',
  // what de-identification itself writes
  'PatientIdentityRemoved',
  'DeidentificationMethod',
  'DeidentificationMethodCodeSequence',
  'LongitudinalTemporalInformationModified',
]);
