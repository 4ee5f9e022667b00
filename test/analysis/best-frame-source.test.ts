import { describe, expect, it } from 'vitest';
import { BestFrameSelector } from '../../src/analysis/best-frame.js';

describe('best frame across a source switch (sequence numbers restart at 0)', () => {
  it('drops the old source’s proposal at the new source’s first frame, however good it was', () => {
    const s = new BestFrameSelector<string>();
    s.offer({ seq: 5000, quality: 0.95, flagged: false, value: 'old source frame 5000' });
    s.offer({ seq: 0, quality: 0.9, flagged: false, value: 'new source frame 0' });
    expect(s.best()?.value).toBe('new source frame 0');
    for (let seq = 1; seq <= 3000; seq++) s.offer({ seq, quality: 0.8, flagged: false, value: `new source frame ${seq}` });
    // the window still runs on the new numbers: frame 0 expired long ago, the newest good one stands
    expect(s.best()?.value).toMatch(/^new source frame (29\d\d|3000)$/);
  });

  it('a new source’s frame too poor to propose still ends the old proposal', () => {
    const s = new BestFrameSelector<string>();
    s.offer({ seq: 40, quality: 0.95, flagged: false, value: 'old' });
    s.offer({ seq: 3, quality: 0.1, flagged: false, value: 'new, poor' });
    expect(s.best()).toBeUndefined();
  });
});
