import { describe, expect, it } from 'vitest';
import { dicomDate, dicomTime, localDate, personName, worklistIdentifier, worklistItem } from '../../src/worklist/identifier.js';

describe('worklist identifier and answers (pure)', () => {
  it('asks for the date and modality inside the scheduled step sequence (PS3.4 K.6.1.2)', () => {
    const q = worklistIdentifier({ date: '20261206', modality: 'US' });
    expect(q.ScheduledProcedureStepSequence).toEqual([expect.objectContaining({ ScheduledProcedureStepStartDate: '20261206', Modality: 'US' })]);
    expect(q).toMatchObject({ PatientName: '', PatientID: '', PatientBirthDate: '', PatientSex: '', AccessionNumber: '' });
    expect((worklistIdentifier({ date: '20261206', modality: undefined }).ScheduledProcedureStepSequence as Array<Record<string, unknown>>)[0]!.Modality).toBe('');
  });

  it('keeps a name the exam form accepts: alphabetic group only, 5 components, no trailing carets', () => {
    expect(personName([{ Alphabetic: 'YAMADA^Tarou', Ideographic: '山田^太郎' }])).toBe('YAMADA^Tarou');
    expect(personName('YAMADA^Tarou=山田^太郎=やまだ^たろう')).toBe('YAMADA^Tarou');
    expect(personName('DOE^JANE^^^')).toBe('DOE^JANE');
    expect(personName('A^B^C^D^E^F')).toBe('A^B^C^D^E');
    expect(personName('  ')).toBeNull();
    expect(personName(undefined)).toBeNull();
  });

  it('keeps only real dates and plain times', () => {
    expect(dicomDate('19900214')).toBe('19900214');
    expect(dicomDate('19900230')).toBeNull();
    expect(dicomDate('18991231')).toBeNull();
    expect(dicomDate('1990-02-14')).toBeNull();
    expect(dicomTime('093000.123456')).toBe('093000');
    expect(dicomTime('0930')).toBe('0930');
    expect(dicomTime('09:30')).toBe('0930');
    expect(dicomTime('9h30')).toBeNull();
    expect(localDate(new Date(2026, 0, 5, 23, 59))).toBe('20260105');
  });

  it('leaves out an accession number longer than DICOM SH allows (16), which the exam form would refuse', () => {
    const long = worklistItem({ PatientID: 'P1', AccessionNumber: 'ACC-2026-000001234', ScheduledProcedureStepSequence: [{ Modality: 'US' }] });
    expect(long).toMatchObject({ patient: { id: 'P1' }, accessionNumber: null });
    expect(worklistItem({ AccessionNumber: 'ACC-2026-0000012' }).accessionNumber).toBe('ACC-2026-0000012');
  });

  it('reads an answer with odd values without inventing any', () => {
    const item = worklistItem({
      PatientName: [{ Alphabetic: 'DOE^JANE' }],
      PatientID: 'P1',
      PatientBirthDate: '20260230',
      PatientSex: 'X',
      AccessionNumber: '',
      ScheduledProcedureStepSequence: [{ Modality: 'US' }],
    });
    expect(item.patient).toEqual({ name: 'DOE^JANE', id: 'P1' });
    expect(item).toMatchObject({ accessionNumber: null, scheduledDate: null, scheduledTime: null, modality: 'US', procedureDescription: null });
  });
});
