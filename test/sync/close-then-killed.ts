/**
 * Child process of close-build-kill.test.ts: a daemon's closing path and nothing else. Opens the records file,
 * makes an exam of `captures` 640×480 captures, closes it through the real sync wiring (one target at `url`),
 * says `closed <exam id>` on stdout and waits to be killed.
 * usage: node --import tsx close-then-killed.ts DIR CAPTURES URL
 */
import { wiredSync } from './wired-sync.js';

const KILL_SECRET = 'close-kill-secret'; // the test builds its expectation with the same
const [dir, count, url] = process.argv.slice(2) as [string, string, string];
const W = 640;
const H = 480;

const { store, sync } = wiredSync(dir, [{ name: 'pacs', url }], KILL_SECRET);
const exam = store.createExam({ patient: { name: 'KILL^KATE', id: 'KILL-1', birthDate: '19870301', sex: 'F' }, datingGaWeeks: 22 });
for (let i = 0; i < Number(count); i++) {
  const px = Uint8Array.from({ length: W * H }, (_, j) => ((j * 31 + i * 7) % 200) + 20);
  const ellipse = { cx: 320, cy: 240, semiMajor: 120, semiMinor: 90, angleDeg: i };
  store.addCapture(
    exam.id,
    {
      frameSeq: i,
      width: W,
      height: H,
      channels: 1,
      pixels: px,
      pixelSpacing: { x: 0.3, y: 0.3 },
      region: { x: 40, y: 30, width: 560, height: 420 },
      results: [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 175 + i / 10, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, ellipse } as never }],
    },
    'midwife-a',
  );
}
store.closeExam(exam.id, 'midwife-a', sync.onExamClosed);
process.stdout.write(`closed ${exam.id}\n`);
setInterval(() => {}, 60_000);
