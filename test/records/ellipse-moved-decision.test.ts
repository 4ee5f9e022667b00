/**
 * A head ellipse moved without resizing (the page sends it as web-ui/src/exam-types/obstetric.ts decides): HC,
 * BPD and OFD 'corrected' with the AI's own value and the moved ellipse. The route takes a correction whose value
 * equals the AI's (the place is what changed), stores both, and the SR's shape is then the moved ellipse, not
 * the AI's (src/sync/sr-geometry.ts).
 */
import { describe, expect, it } from 'vitest';
import { ExamStore } from '../../src/records/exam-store.js';
import { measurementShape } from '../../src/sync/sr-geometry.js';
import { axisShape, ellipseShape } from '../../src/sync/sr-scoord.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUser } from '../helpers/auth.js';
import { AI_ELLIPSE, H, REGION, W, headPicture } from '../qa-export/fixture.js';

describe('a head ellipse moved, not resized', async () => {
  const t = await buildTestApp();
  const dr = await addTokenUser(t.runtime.access.services, 'clinician', 'dr-mo');
  const store = new ExamStore(t.db);
  const exam = store.createExam({ patient: { id: 'P-2' } });
  const cap = store.addCapture(
    exam.id,
    {
      frameSeq: 1,
      width: W,
      height: H,
      channels: 1,
      pixels: headPicture(),
      pixelSpacing: { x: 0.3, y: 0.3 },
      region: REGION,
      results: [{ modelId: 'fetal-head', modelVersion: '1.2.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 175.2, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, ellipse: AI_ELLIPSE } as never }],
    },
    null,
  );
  // the page's coordinates are pixel corners: the AI's centre is +0.5 there, and the clinician dragged it 18 and 10 px on
  const moved = { ...AI_ELLIPSE, cx: AI_ELLIPSE.cx + 0.5 + 18, cy: AI_ELLIPSE.cy + 0.5 + 10 };

  it('is stored as corrected with the AI value and the moved ellipse, which the SR then draws', async () => {
    for (const kind of ['hc', 'bpd', 'ofd'] as const) {
      const m = cap.measurements.find((x) => x.kind === kind)!;
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/measurements/${m.id}/decision`,
        headers: { ...dr.headers, 'content-type': 'application/json' },
        payload: { decision: 'corrected', value: m.aiValue, geometry: { ellipse: moved } },
      });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ state: 'corrected', aiValue: m.aiValue, finalValue: m.aiValue, finalGeometry: { ellipse: moved } });
    }
    const stored = store.getExam(exam.id).captures[0]!.measurements;
    const shape = (kind: string) =>
      measurementShape(
        stored.find((x) => x.kind === kind)!,
        AI_ELLIPSE,
      );
    expect(shape('hc')).toEqual(ellipseShape(moved, 'pixel-corner'));
    expect(shape('bpd')).toEqual(axisShape(moved, 'minor', 'pixel-corner'));
    expect(shape('ofd')).toEqual(axisShape(moved, 'major', 'pixel-corner'));
    expect(shape('hc')).not.toEqual(ellipseShape(AI_ELLIPSE, 'pixel-centre'));
    expect(store.decisionHistory(cap.measurements.find((x) => x.kind === 'hc')!.id).map((d) => d.decision)).toEqual(['corrected']);
  });
});
