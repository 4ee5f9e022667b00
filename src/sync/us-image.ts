import { type BreastSide, DICOM_IMAGE_LATERALITY } from '../protocol/laterality.js';
import { type Dataset, UTC_OFFSET } from './dicom-file.js';

export const US_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.6.1';

export interface StudyContext {
  studyInstanceUid: string;
  studyDate: string;
  studyTime: string;
  studyId: string;
  accessionNumber: string;
  patient: { name: string; id: string; birthDate: string; sex: string };
  deviceSerial: string;
  softwareVersion: string;
}

export interface ImageInput {
  seriesInstanceUid: string;
  seriesNumber: number;
  sopInstanceUid: string;
  instanceNumber: number;
  contentDate: string;
  contentTime: string;
  width: number;
  height: number;
  /** 8-bit gray pixels, row-major */
  pixels: Uint8Array;
  /** imaging region in pixels and its spacing (mm), for the Sequence of Ultrasound Regions */
  region: { x: number; y: number; width: number; height: number };
  pixelSpacingMm: { x: number; y: number } | undefined;
  derived: boolean;
  seriesDescription: string;
  burnedInAnnotation: 'YES' | 'NO';
  /** the breast the capture was taken on (breast exams): Image Laterality; none when not recorded */
  laterality?: BreastSide | null | undefined;
}

/** Patient, General Study and General Equipment attributes shared by every instance of an exam. */
export function studyAttributes(study: StudyContext): Dataset {
  return {
    StudyDate: study.studyDate,
    StudyTime: study.studyTime,
    AccessionNumber: study.accessionNumber,
    Manufacturer: 'sonoedge',
    ReferringPhysicianName: '',
    ManufacturerModelName: 'sonoedge',
    DeviceSerialNumber: study.deviceSerial,
    SoftwareVersions: study.softwareVersion,
    PatientName: study.patient.name,
    PatientID: study.patient.id,
    PatientBirthDate: study.patient.birthDate,
    PatientSex: study.patient.sex,
    StudyInstanceUID: study.studyInstanceUid,
    StudyID: study.studyId,
  };
}

/**
 * An Ultrasound Image Storage instance (PS3.3 A.6): Patient, General Study, General Series, General
 * Equipment, General Image, Image Pixel, US Region Calibration, US Image and SOP Common modules. Pixel
 * spacing travels the ultrasound way, in the Sequence of Ultrasound Regions (Physical Delta X/Y in cm).
 */
export function buildUsImage(study: StudyContext, img: ImageInput): Dataset {
  const regions = img.pixelSpacingMm
    ? [
        {
          RegionSpatialFormat: 1, // 2D
          RegionDataType: 1, // tissue
          RegionFlags: 0,
          RegionLocationMinX0: img.region.x,
          RegionLocationMinY0: img.region.y,
          RegionLocationMaxX1: img.region.x + img.region.width - 1,
          RegionLocationMaxY1: img.region.y + img.region.height - 1,
          PhysicalUnitsXDirection: 3, // cm
          PhysicalUnitsYDirection: 3,
          PhysicalDeltaX: img.pixelSpacingMm.x / 10,
          PhysicalDeltaY: img.pixelSpacingMm.y / 10,
        },
      ]
    : undefined;
  const padded = img.pixels.length % 2 === 0 ? img.pixels : concat(img.pixels, new Uint8Array(1));
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: img.derived ? ['DERIVED', 'SECONDARY'] : ['ORIGINAL', 'PRIMARY'],
    SOPClassUID: US_IMAGE_STORAGE,
    SOPInstanceUID: img.sopInstanceUid,
    TimezoneOffsetFromUTC: UTC_OFFSET, // the dates and times below are UTC
    ...studyAttributes(study),
    SeriesDate: img.contentDate,
    ContentDate: img.contentDate,
    SeriesTime: img.contentTime,
    ContentTime: img.contentTime,
    Modality: 'US',
    SeriesDescription: img.seriesDescription,
    SeriesInstanceUID: img.seriesInstanceUid,
    SeriesNumber: img.seriesNumber,
    InstanceNumber: img.instanceNumber,
    PatientOrientation: '',
    // the side is per image, not per series: one series holds the captures of both breasts. Image Laterality
    // (General Image, L or R) when the capture names its breast; the series' Laterality (Type 2C) is then absent,
    // as its condition asks; otherwise empty (unknown), which is accepted (absent fails the module check)
    ...(img.laterality ? { ImageLaterality: DICOM_IMAGE_LATERALITY[img.laterality] } : { Laterality: '' }),
    BurnedInAnnotation: img.burnedInAnnotation,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: img.height,
    Columns: img.width,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    ...(regions ? { SequenceOfUltrasoundRegions: regions } : {}),
    PixelData: [padded.buffer.slice(padded.byteOffset, padded.byteOffset + padded.byteLength)],
    _vrMap: { PixelData: 'OB' },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
