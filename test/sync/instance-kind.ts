import type { DicomInstance } from '../../src/sync/export-exam.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { US_IMAGE_STORAGE } from '../../src/sync/us-image.js';
import { US_MULTIFRAME_STORAGE } from '../../src/sync/us-multiframe.js';

/** What kind of instance an export made: 'US image', 'US overlay', 'US multi-frame' or 'SR TID <template>'. */
export function kindOf(i: DicomInstance): string {
  const template = (i.dataset.ContentTemplateSequence as Array<{ TemplateIdentifier: string }> | undefined)?.[0]?.TemplateIdentifier;
  if (i.sopClassUid === COMPREHENSIVE_SR) return `SR TID ${template}`;
  if (i.sopClassUid === US_MULTIFRAME_STORAGE) return 'US multi-frame';
  if (i.sopClassUid === US_IMAGE_STORAGE) return (i.dataset.ImageType as string[])[0] === 'DERIVED' ? 'US overlay' : 'US image';
  return i.sopClassUid;
}
