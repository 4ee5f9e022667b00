import dcmjs from 'dcmjs';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION } from './uids.js';

const { DicomDict, DicomMetaDictionary, DicomMessage } = dcmjs.data;

export type Dataset = Record<string, unknown>;

/** Writes a naturalized dataset as a Part 10 file (explicit VR little endian). */
export function writePart10(ds: Dataset): Buffer {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: ds.SOPClassUID,
    MediaStorageSOPInstanceUID: ds.SOPInstanceUID,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION,
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  return Buffer.from(dict.write());
}

export function readPart10(buf: Buffer): Dataset {
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(ab).dict);
}

/**
 * Timezone Offset From UTC (0008,0201, SOP Common, SH "&ZZXX"; UTC is +0000, never -0000): every instance
 * sonoedge builds carries it, since every DA and TM it writes (dicomDate, dicomTime) and every DT (without an
 * offset of its own) is UTC; without it a PACS reads them as its local time.
 */
export const UTC_OFFSET = '+0000';

/** DICOM DA and TM from a Date (UTC: instances say so by TimezoneOffsetFromUTC = UTC_OFFSET). */
export function dicomDate(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}
export function dicomTime(d: Date): string {
  return d.toISOString().slice(11, 19).replace(/:/g, '');
}
