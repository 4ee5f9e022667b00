/**
 * Words drawn on the frame itself (issue 18: "unverified" on the image, not only in a small line): the AI
 * proposal's state in the top-right corner, "previous frame" bottom-left. Sized to the frame, on a dark box
 * so they read on any image; drawn in frame pixels, so they zoom with it.
 */
import { t } from '../i18n';

export const WARN = '#fbbf24';
export const OK = '#34d399';

export type Corner = 'top-right' | 'bottom-left';

/** The label font of the last size asked for: drawn on every live frame, so not a new string each time. */
let fontSize = 0;
let font = '';
function labelFont(size: number): string {
  if (size !== fontSize) {
    fontSize = size;
    font = `600 ${size}px system-ui, sans-serif`;
  }
  return font;
}

export function drawCornerLabel(ctx: CanvasRenderingContext2D, width: number, text: string, corner: Corner, colour: string): void {
  const size = Math.max(12, Math.round(width / 30));
  ctx.save();
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  ctx.font = labelFont(size);
  const w = ctx.measureText(text).width;
  const x = corner === 'top-right' ? width - w - size * 1.2 : size * 0.4;
  const y = corner === 'top-right' ? size * 1.5 : ctx.canvas.height - size * 0.6;
  ctx.fillStyle = 'rgba(0, 0, 0, 0.75)';
  ctx.fillRect(x, y - size * 1.2, w + size * 0.8, size * 1.5);
  ctx.fillStyle = colour;
  ctx.fillText(text, x + size * 0.4, y);
  ctx.restore();
}

/**
 * The proposal's state, top right: unverified, edited and decided elsewhere in the warning colour, saved in the
 * success colour. A frozen frame with nothing proposed (no result, or nothing found) has its line, no label.
 */
export type StateLabel = 'unverified' | 'edited' | 'saved' | 'decidedElsewhereLine' | 'noAiResultLine' | 'nothingProposedLine';
const ON_IMAGE = { unverified: 'unverifiedOnImage', edited: 'editedOnImage', saved: 'savedOnImage', decidedElsewhereLine: 'decidedElsewhereOnImage' } as const;

export function drawStateLabel(ctx: CanvasRenderingContext2D, width: number, key: StateLabel): void {
  if (key in ON_IMAGE) drawCornerLabel(ctx, width, t(ON_IMAGE[key as keyof typeof ON_IMAGE]), 'top-right', key === 'saved' ? OK : WARN);
}
