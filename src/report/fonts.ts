import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * DejaVu Sans from the dejavu-fonts-ttf package: embedded (subset) in every report, so it prints the same
 * anywhere, offline, with French accents; no PDF standard font is used.
 */
const ttfDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
export const REPORT_FONTS = {
  regular: join(ttfDir, 'DejaVuSans.ttf'),
  bold: join(ttfDir, 'DejaVuSans-Bold.ttf'),
};
