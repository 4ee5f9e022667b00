import { describe, expect, it } from 'vitest';
import { ReportText, reportLang } from '../../src/report/i18n.js';
import { displayName } from '../../src/report/report-model.js';

describe('report language and formats (pure)', () => {
  it('takes ?lang first, then the best Accept-Language it knows, else English', () => {
    expect(reportLang('fr', 'en')).toBe('fr');
    expect(reportLang(undefined, 'fr-CA,fr;q=0.9,en;q=0.8')).toBe('fr');
    expect(reportLang(undefined, 'de-DE,en;q=0.3,fr;q=0.7')).toBe('fr');
    expect(reportLang(undefined, 'fr;q=0, en')).toBe('en');
    expect(reportLang(undefined, 'de')).toBe('en');
    expect(reportLang(undefined, undefined)).toBe('en');
  });

  it('writes GA as whole weeks and days, carrying 7 days into a week', () => {
    const en = new ReportText('en');
    expect(en.ga(20.1)).toBe('20 w 1 d');
    expect(en.ga(20.99)).toBe('21 w 0 d');
    expect(new ReportText('fr').ga(12.5)).toBe('12 SA 4 j');
  });

  it('writes numbers, units and DICOM dates by locale', () => {
    expect(new ReportText('en').value(178.44, 'mm')).toBe('178.4 mm');
    expect(new ReportText('fr').value(178.44, 'mm')).toBe('178,4 mm');
    expect(new ReportText('fr').value(0.734, 'ratio')).toBe('0,73');
    expect(new ReportText('en').dicomDate('19900214')).toBe('14 Feb 1990');
    expect(new ReportText('fr').dicomDate('19900214')).toBe('14 févr. 1990');
    expect(new ReportText('en', 'UTC').dateTime('2026-12-06T08:05:00.000Z')).toBe('6 Dec 2026, 08:05');
  });

  it('says a decision plainly, with who made it', () => {
    expect(new ReportText('en').state('corrected', 'Dr B')).toBe('corrected by Dr B');
    expect(new ReportText('fr').state('confirmed', 'Dr B')).toBe('validé par Dr B');
    expect(new ReportText('en').state('unverified', null)).toMatch(/^UNVERIFIED/);
  });

  it('writes a DICOM person name as FAMILY, Given Middle', () => {
    expect(displayName('DOE^JANE')).toBe('DOE, JANE');
    expect(displayName('DUPONT^Marie^Claire^Mme')).toBe('DUPONT, Mme Marie Claire');
    expect(displayName('SOLO')).toBe('SOLO');
  });
});
