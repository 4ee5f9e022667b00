/**
 * The dicom driver's input problems as coded errors (SONO_DICOM_*), each saying what the technician can do.
 * The reader (src/capture/dicom-image.ts, shared with `sonoedge analyze`) throws plain errors that name the
 * file and the fault; `dicomInputError` gives each its code by what the reader says (every pattern here is
 * pinned by test/drivers/dicom-errors.test.ts on a real file), and its advice. The code also ends the
 * message: the source's health (`lastError`) and PUT /api/source (which answers SONO_SOURCE_FAILED with the
 * driver's message) carry it that way, as the replay driver does.
 */
import { basename } from 'node:path';
import { type ErrorCode, type ErrorDetail, ErrorCodes, SonoError, errorMessage } from '../../src/errors.js';
import type { PixelDataCut } from './truncation.js';

/** Transfer syntaxes seen on scanner exports that sonoedge does not decode, with the tool that makes them uncompressed. */
const SYNTAXES: Record<string, { name: string; convert: string }> = {
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', convert: 'dcmdrle FILE OUT.dcm (dcmtk)' },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian', convert: 'dcmconv +te FILE OUT.dcm (dcmtk)' },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian', convert: 'dcmconv +te FILE OUT.dcm (dcmtk)' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless', convert: 'dcmdjpeg FILE OUT.dcm (dcmtk)' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless SV1', convert: 'dcmdjpeg FILE OUT.dcm (dcmtk)' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', convert: 'dcmdjpls FILE OUT.dcm (dcmtk)' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', convert: 'dcmdjpls FILE OUT.dcm (dcmtk)' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Lossless', convert: 'gdcmconv --raw FILE OUT.dcm (GDCM)' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', convert: 'gdcmconv --raw FILE OUT.dcm (GDCM)' },
};
const VIDEO = /^1\.2\.840\.10008\.1\.2\.4\.10[0-9]$/; // MPEG-2, MPEG-4, H.264, HEVC

/** What the technician can do about a transfer syntax sonoedge does not decode. */
function syntaxAdvice(uid: string): string {
  const known = SYNTAXES[uid];
  if (known) return `it is compressed as ${known.name}; make an uncompressed copy with ${known.convert} and play that`;
  if (VIDEO.test(uid)) return 'it holds the loop as compressed video; export the loop from the scanner again as uncompressed or JPEG (baseline) frames';
  return uid === ''
    ? 'it declares no transfer syntax; export it from the scanner again as uncompressed or JPEG (baseline)'
    : 'make an uncompressed copy (gdcmconv --raw FILE OUT.dcm from GDCM) or export it from the scanner again as uncompressed or JPEG (baseline)';
}

/** A DICOM input problem: coded, with the code at the end of its message. */
export function dicomError(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, ErrorDetail> }): SonoError {
  return new SonoError(code, `${message} (${code})`, options);
}

const COPY_AGAIN = 'Copy it again from the scanner or USB stick (a copy that was unplugged or ran out of space ends early), or export it from the scanner again';

interface Rule {
  code: ErrorCode;
  /** matches what the reader says */
  says: RegExp;
  /** the message, from the reader's words and what the pattern caught */
  message(file: string, said: string, m: RegExpMatchArray): string;
  details?(m: RegExpMatchArray): Record<string, ErrorDetail>;
}

const RULES: Rule[] = [
  {
    code: ErrorCodes.DICOM_UNSUPPORTED_SYNTAX,
    says: /uses transfer syntax (\S*), which sonoedge does not decode/,
    message: (f, _s, m) => `${f} uses transfer syntax ${m[1] || '(none)'}, which sonoedge does not decode (it plays uncompressed and JPEG baseline); ${syntaxAdvice(m[1]!)}`,
    details: (m) => ({ transferSyntax: m[1]! }),
  },
  {
    code: ErrorCodes.DICOM_TRUNCATED,
    says: /pixel data is (\d+) bytes; (\d+) frames of .* need (\d+)/,
    message: (f, s) => `${s}: it declares more frames (Number of Frames) than its pixel data holds. ${COPY_AGAIN}`,
    details: (m) => ({ pixelBytes: Number(m[1]), numberOfFrames: Number(m[2]), neededBytes: Number(m[3]) }),
  },
  {
    code: ErrorCodes.DICOM_NO_IMAGE,
    says: /holds no image \(Rows\/Columns\/Pixel Data missing\)/,
    message: (f) =>
      `${f} holds no image (Rows, Columns or Pixel Data missing): it may be a report, a structured report or a presentation state rather than an image; choose the image file, or leave this one out of the folder`,
  },
  {
    code: ErrorCodes.DICOM_UNSUPPORTED_PIXELS,
    says: /has (\S+) (samples per pixel|bits allocated);/,
    message: (f, _s, m) => `${f} has ${m[1]} ${m[2]}; sonoedge plays 8- or 16-bit gray (1 sample per pixel) or RGB (3); export the image from the scanner again as 8-bit gray or RGB`,
    details: (m) => ({ [m[2] === 'bits allocated' ? 'bitsAllocated' : 'samplesPerPixel']: m[1]! }),
  },
  {
    code: ErrorCodes.DICOM_UNREADABLE,
    says: /is not a readable DICOM file|is JPEG compressed and dcmdjpeg could not decompress it/,
    message: (f, s) => `${s}. Check that ${f} is a DICOM file (dcmdump ${f} lists its header) and copy it again; leave other files out of the folder`,
  },
];

/** A file whose Pixel Data ends before the length it declares (see truncation.ts): refused, never played black. */
export function cutShort(file: string, cut: PixelDataCut): SonoError {
  const f = basename(file);
  const missing = cut.declaredBytes - cut.presentBytes;
  return dicomError(
    ErrorCodes.DICOM_TRUNCATED,
    `${f} ends early: its Pixel Data declares ${cut.declaredBytes} bytes and the file holds ${cut.presentBytes} of them (${missing} missing, which would play as black). ${COPY_AGAIN}`,
    { details: { file: f, ...cut } },
  );
}

/**
 * The coded error of a file the reader refused (`err`, what readDicomClipAsync threw for `file`, playing `path`); a
 * memory budget refusal becomes SONO_DICOM_TOO_LARGE; anything else the reader says is SONO_DICOM_UNREADABLE.
 */
export function dicomInputError(file: string, err: unknown, play: { path: string; budgetBytes: number }): SonoError {
  const f = basename(file);
  if (err instanceof SonoError && err.code.startsWith('SONO_DICOM_')) return err;
  if (err instanceof SonoError && err.code === ErrorCodes.SOURCE_FAILED && err.details?.neededBytes !== undefined) {
    const budget = play.budgetBytes;
    return dicomError(ErrorCodes.DICOM_TOO_LARGE, `DICOM ${play.path} needs more memory for its decoded frames than the budget of ${budget} bytes (maxPixelBytes): ${err.message}`, {
      cause: err,
      details: { ...err.details, budgetBytes: budget },
    });
  }
  const said = errorMessage(err);
  for (const rule of RULES) {
    const m = said.match(rule.says);
    if (m) return dicomError(rule.code, rule.message(f, said, m), { cause: err, details: { file: f, ...rule.details?.(m) } });
  }
  return dicomError(ErrorCodes.DICOM_UNREADABLE, `${f} could not be read: ${said}; check that it is a DICOM image and copy it again`, { cause: err, details: { file: f } });
}

/**
 * Why `start` found nothing to play in `path`: the files' own code when they all failed alike (a folder of RLE
 * files is SONO_DICOM_UNSUPPORTED_SYNTAX, as one such file is), else SONO_DICOM_NO_INPUT naming the last.
 */
export function nothingPlayable(path: string, failures: readonly SonoError[], files: number): SonoError {
  const last = failures.at(-1);
  if (last && failures.every((e) => e.code === last.code)) {
    return new SonoError(last.code, `No playable DICOM in ${path}: ${last.message}`, { cause: last, details: { ...last.details, files, failed: failures.length } });
  }
  const why = last
    ? `${failures.length} of its ${files} files could not be played, for different reasons (each is counted in health); the last: ${last.message}`
    : 'it holds no files (sub-folders are not searched: choose the folder with the image files)';
  return dicomError(ErrorCodes.DICOM_NO_INPUT, `No playable DICOM in ${path}: ${why}`, { cause: last, details: { files, failed: failures.length } });
}
