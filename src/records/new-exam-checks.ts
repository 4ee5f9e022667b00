/**
 * The daemon's own check of a new exam's patient and dating (the page checks the same as typed, with the
 * same pure rules from src/protocol/rest/patient-checks.ts): a birth date that does not exist or lies in the
 * future, an LMP or EDD that gives no plausible GA, is refused with a coded error, never stored.
 */
import { ErrorCodes, SonoError } from '../errors.js';
import { GA_RANGE, type InputProblem, checkBirthDate, gaFromEdd, gaFromLmp, nameProblem, todayDicom } from '../protocol/rest/patient-checks.js';
import type { NewExam } from './types.js';

const SAYS: Record<InputProblem, string> = {
  'not-a-number': 'is not a number',
  'out-of-range': `is outside ${GA_RANGE.min}…${GA_RANGE.max} weeks`,
  'not-a-date': 'is not a day of the calendar',
  'date-in-future': 'lies in the future',
  'date-too-old': 'is before 1900',
  'dating-out-of-range': `gives a gestational age outside ${GA_RANGE.min}…${GA_RANGE.max} weeks today`,
  'not-a-name': 'holds ^, \\, = or a line break, or is longer than 64 characters',
};

/** The dating GA the exam stores: typed, or worked out from the LMP or EDD on `today` (YYYYMMDD). */
export function checkNewExam(input: NewExam, today: string = todayDicom()): number | undefined {
  const p = input.patient;
  for (const part of (p?.name ?? '').split('^')) {
    if (nameProblem(part))
      throw new SonoError(ErrorCodes.PATIENT_INVALID, `The patient name part "${part.slice(0, 70)}" ${SAYS['not-a-name']}; type family and given names apart`, { details: { field: 'patient.name' } });
  }
  const birth = p?.birthDate !== undefined ? checkBirthDate(p.birthDate, today) : undefined;
  if (birth)
    throw new SonoError(ErrorCodes.PATIENT_INVALID, `The birth date ${p!.birthDate} ${SAYS[birth]}; send the day of birth as YYYYMMDD`, { details: { field: 'patient.birthDate', problem: birth } });
  const method = input.datingMethod;
  if ((method === 'lmp' || method === 'edd') !== (input.datingDate !== undefined)) {
    throw new SonoError(
      ErrorCodes.DATING_INVALID,
      method === 'lmp' || method === 'edd' ? `Dating by ${method.toUpperCase()} needs datingDate (YYYYMMDD)` : 'datingDate is the LMP or EDD: send datingMethod "lmp" or "edd" with it',
      {
        details: { field: 'datingDate' },
      },
    );
  }
  if (method === 'ga' && input.datingGaWeeks === undefined) throw new SonoError(ErrorCodes.DATING_INVALID, 'Dating by GA needs datingGaWeeks', { details: { field: 'datingGaWeeks' } });
  if (method !== 'lmp' && method !== 'edd') return input.datingGaWeeks;
  const ga = method === 'lmp' ? gaFromLmp(input.datingDate!, today) : gaFromEdd(input.datingDate!, today);
  if (typeof ga === 'string') {
    throw new SonoError(ErrorCodes.DATING_INVALID, `The ${method.toUpperCase()} ${input.datingDate} ${SAYS[ga]}; check the date`, { details: { field: 'datingDate', problem: ga } });
  }
  // both sent: they must tell the same pregnancy (within a day), else which one is meant is unknown
  if (input.datingGaWeeks !== undefined && Math.abs(input.datingGaWeeks - ga) > 1 / 7) {
    throw new SonoError(
      ErrorCodes.DATING_INVALID,
      `datingGaWeeks ${input.datingGaWeeks} disagrees with the ${method.toUpperCase()} ${input.datingDate} (${ga.toFixed(1)} weeks today); send one of them`,
      {
        details: { field: 'datingGaWeeks' },
      },
    );
  }
  return ga;
}
