/**
 * The shapes the reports carry, worked out by hand: an ellipse's four axis end points (PS3.3 C.18.6.1.2:
 * major axis end points, then minor), closed outlines, the pixel-centre → pixel-corner shift of the AI's
 * geometry, which shape each kind of measurement takes and from whom; damaged geometry and an item without
 * an image get no SCOORD (their value and text stay).
 */
import { describe, expect, it } from 'vitest';
import { type Dataset } from '../../src/sync/dicom-file.js';
import { buildMeasurementSr } from '../../src/sync/sr.js';
import { type MeasurementGeometry, measurementShape } from '../../src/sync/sr-geometry.js';
import { axisShape, ellipseShape, polylineShape, spatialItems } from '../../src/sync/sr-scoord.js';

const IMAGE = { sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1', sopInstanceUid: '1.2.3.4', seriesInstanceUid: '1.2.3' };

describe('shapes in image pixel coordinates', () => {
  it('an ellipse turned 30° (towards +y, rows grow downwards): major end points, then minor', () => {
    const e = { cx: 100, cy: 50, semiMajor: 20, semiMinor: 10, angleDeg: 30 };
    // cos 30° = 0.8660254, sin 30° = 0.5: major ± (17.3205, 10), minor ± (−5, 8.66025)
    const s = ellipseShape(e, 'pixel-corner')!;
    expect(s.graphicType).toBe('ELLIPSE');
    const expected = [
      [82.679, 40],
      [117.321, 60],
      [105, 41.34],
      [95, 58.66],
    ];
    s.points.forEach((p, i) => {
      expect(p[0]).toBeCloseTo(expected[i]![0]!, 3);
      expect(p[1]).toBeCloseTo(expected[i]![1]!, 3);
    });
    expect(axisShape(e, 'major', 'pixel-corner')).toEqual({ graphicType: 'POLYLINE', points: s.points.slice(0, 2) });
    expect(axisShape(e, 'minor', 'pixel-corner')).toEqual({ graphicType: 'POLYLINE', points: s.points.slice(2) });
    // the analysis' frame pixels have integers at pixel centres: half a pixel further right and down
    expect(ellipseShape(e, 'pixel-centre')!.points[0]![0]).toBeCloseTo(83.179, 3);
    expect(ellipseShape(e, 'pixel-centre')!.points[0]![1]).toBe(40.5);
  });

  it('a closed outline repeats its first vertex; an open line needs two points, a closed one three', () => {
    expect(
      polylineShape(
        [
          [1, 2],
          [3, 4],
          [5, 2],
        ],
        'pixel-corner',
        true,
      )!.points,
    ).toEqual([
      [1, 2],
      [3, 4],
      [5, 2],
      [1, 2],
    ]);
    expect(
      polylineShape(
        [
          [1, 2],
          [3, 4],
        ],
        'pixel-centre',
        false,
      )!.points,
    ).toEqual([
      [1.5, 2.5],
      [3.5, 4.5],
    ]);
    expect(polylineShape([[1, 2]], 'pixel-corner', false)).toBeUndefined();
    expect(
      polylineShape(
        [
          [1, 2],
          [3, 4],
        ],
        'pixel-corner',
        true,
      ),
    ).toBeUndefined();
  });

  it('damaged geometry (NaN, 1e300, a flat ellipse) gets no shape', () => {
    expect(
      polylineShape(
        [
          [Number.NaN, 2],
          [3, 4],
        ],
        'pixel-corner',
        false,
      ),
    ).toBeUndefined();
    expect(
      polylineShape(
        [
          [1e300, 2],
          [3, 4],
        ],
        'pixel-corner',
        false,
      ),
    ).toBeUndefined();
    expect(ellipseShape({ cx: 1, cy: 1, semiMajor: 0, semiMinor: 3, angleDeg: 0 }, 'pixel-corner')).toBeUndefined();
    expect(spatialItems(undefined, IMAGE)).toEqual([]);
  });
});

describe('which shape a stored measurement has', () => {
  const AI = { cx: 50, cy: 40, semiMajor: 30, semiMinor: 20, angleDeg: 0 };
  const m = (over: Partial<MeasurementGeometry>): MeasurementGeometry => ({ kind: 'hc', state: 'unverified', aiGeometry: null, finalGeometry: null, ...over });

  it('HC, BPD and OFD: the AI ellipse from the result until the clinician draws their own; a typed value has none', () => {
    expect(measurementShape(m({}), AI)!.points).toEqual([
      [20.5, 40.5],
      [80.5, 40.5],
      [50.5, 20.5],
      [50.5, 60.5],
    ]);
    expect(measurementShape(m({ kind: 'bpd', state: 'confirmed' }), AI)!.points).toEqual([
      [50.5, 20.5],
      [50.5, 60.5],
    ]);
    expect(measurementShape(m({ kind: 'ofd' }), AI)!.points).toEqual([
      [20.5, 40.5],
      [80.5, 40.5],
    ]);
    const mine = { ellipse: { cx: 10, cy: 10, semiMajor: 5, semiMinor: 4, angleDeg: 0 } };
    expect(measurementShape(m({ state: 'corrected', finalGeometry: mine }), AI)!.points).toEqual([
      [5, 10],
      [15, 10],
      [10, 6],
      [10, 14],
    ]);
    expect(measurementShape(m({ kind: 'bpd', state: 'corrected' }), AI)).toBeUndefined();
    expect(measurementShape(m({ kind: 'ga' }), AI)).toBeUndefined();
    expect(measurementShape(m({}), undefined)).toBeUndefined(); // a result without an ellipse
  });

  it('a lesion caliper and the margin outline: a re-classed margin keeps the AI outline the clinician accepted', () => {
    const seg = { x1: 1, y1: 2, x2: 3, y2: 4 };
    expect(measurementShape(m({ kind: 'lesion_max_diameter', aiGeometry: seg }), null)!.points).toEqual([
      [1.5, 2.5],
      [3.5, 4.5],
    ]);
    expect(measurementShape(m({ kind: 'lesion_max_diameter', state: 'corrected', aiGeometry: seg }), null)).toBeUndefined();
    const outline = { outline: [0, 0, 10, 0, 10, 10] };
    expect(measurementShape(m({ kind: 'lesion_margin', state: 'corrected', aiGeometry: outline }), null)!.points).toEqual([
      [0.5, 0.5],
      [10.5, 0.5],
      [10.5, 10.5],
      [0.5, 0.5],
    ]);
    expect(measurementShape(m({ kind: 'lesion_margin', aiGeometry: { outline: [0, 0, 10] } }), null)).toBeUndefined(); // odd count
    expect(measurementShape(m({ kind: 'lesion_orientation', aiGeometry: seg }), null)).toBeUndefined();
  });

  it('a report group without an image carries no SCOORD, only the value and its text as before', () => {
    const study = {
      studyInstanceUid: '1.2',
      studyDate: '20260101',
      studyTime: '120000',
      studyId: '',
      accessionNumber: '',
      patient: { name: '', id: '', birthDate: '', sex: '' },
      deviceSerial: 'x',
      softwareVersion: '0',
    };
    const shape = polylineShape(
      [
        [1, 2],
        [3, 4],
      ],
      'pixel-corner',
      false,
    );
    const measurement = { kind: 'lesion_max_diameter' as const, unit: 'mm' as const, aiValue: 5, finalValue: null, state: 'unverified' as const, decidedBy: null, decidedAt: null, shape };
    const manual = [
      {
        kind: 'distance' as const,
        n: 1,
        points: [
          [1, 2],
          [3, 4],
        ] as Array<[number, number]>,
        value: 2.8,
        unit: 'px' as const,
        by: 'Dr A',
        at: '2026-01-01T00:00:00Z',
      },
    ];
    const input = {
      seriesInstanceUid: '1.3',
      sopInstanceUid: '1.4',
      contentDate: '20260101',
      contentTime: '120000',
      algorithm: { name: 'a', version: '1', deviceUid: '1.5', provider: 'cpu' },
      examType: 'breast' as const,
      notes: [],
    };
    const tree = (ds: Dataset): string => JSON.stringify(ds.ContentSequence);
    const without = tree(buildMeasurementSr(study, { ...input, groups: [{ trackingUid: '1.6', measurements: [measurement], manual }] }));
    expect(without).not.toContain('SCOORD');
    expect(without).toContain('points in frame pixels 1.0,2.0 3.0,4.0');
    const withImage = tree(buildMeasurementSr(study, { ...input, groups: [{ trackingUid: '1.6', image: IMAGE, measurements: [measurement], manual }] }));
    expect(withImage.match(/"ValueType":"SCOORD"/g)).toHaveLength(2);
  });
});
