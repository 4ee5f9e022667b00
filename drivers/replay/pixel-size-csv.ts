import { readFileSync } from 'node:fs';
import { ErrorCodes, SonoError } from '../../src/errors.js';

/**
 * Reads an HC18-style `filename,pixel size(mm)` CSV into a map; throws naming the file and the line at
 * fault but never quoting it: the file may be anything readable (a key, a patient list), and the message
 * reaches network clients.
 */
export function readPixelSizeCsv(file: string): Map<string, number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SonoError(ErrorCodes.PIXEL_SIZE_CSV_INVALID, `Cannot read pixel-size CSV ${file} (${code}); check the path and its permissions`, { cause: err });
  }
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  const header = (lines[headerAt] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const fi = header.indexOf('filename');
  const pi = header.findIndex((h) => h.startsWith('pixel size'));
  if (fi < 0 || pi < 0) {
    throw new SonoError(
      ErrorCodes.PIXEL_SIZE_CSV_INVALID,
      `Pixel-size CSV ${file} needs "filename" and "pixel size(mm)" columns in its first line (line ${headerAt + 1}); it is not an HC18-style CSV`,
    );
  }
  const map = new Map<string, number>();
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cols = line.split(',');
    const name = cols[fi]?.trim();
    const v = Number(cols[pi]);
    if (!name || !(v > 0))
      throw new SonoError(
        ErrorCodes.PIXEL_SIZE_CSV_INVALID,
        `Pixel-size CSV ${file} line ${i + 1} has no file name or no positive pixel size in its "filename" and "pixel size(mm)" columns; fix that line`,
      );
    map.set(name, v);
  }
  return map;
}
