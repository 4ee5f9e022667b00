/**
 * Writes simulated-probe frames as PNG for the enhancer's training set (models/training/enhance_data.py):
 *   npx tsx bench/enhance/dump-sim-frames.ts OUT_DIR
 * Seeds 101–112 (both geometries, several dynamic ranges); the evaluation uses the default seed 7, so
 * the scenes measured are never trained on.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { simulatedFrames } from '../../eval/sim-frames.js';

const out = process.argv[2];
if (!out) throw new Error('usage: dump-sim-frames.ts OUT_DIR');
mkdirSync(out, { recursive: true });
for (let seed = 101; seed <= 112; seed++) {
  const geometry = seed % 2 ? 'sector' : 'linear';
  const dynamicRangeDb = [40, 50, 60][seed % 3]!;
  const frames = simulatedFrames(4, { seed, geometry, dynamicRangeDb, headCircumferenceMm: 120 + (seed - 100) * 15 });
  for (const [k, f] of frames.entries()) {
    await sharp(Buffer.from(f.raw), { raw: { width: f.width, height: f.height, channels: 1 } })
      .png()
      .toFile(join(out, `sim_${seed}_${k}.png`));
  }
}
