/** How an exam is named in the list and the record: its status word and its patient. */
import type { ExamSummaryDto } from '../../../../src/protocol/rest/index.js';
import { type ExamKey, tx } from './strings';

export const statusOf = (e: { closedAt: string | null; voidedAt?: string | null | undefined }): ExamKey => (e.voidedAt ? 'voided' : e.closedAt ? 'closed' : 'open');

/** "DUPONT, MARIE · IPP-1" (a DICOM name FAMILY^GIVEN written as people read it), or "anonymous". */
export const patientText = (e: Pick<ExamSummaryDto, 'anonymous' | 'patient'>): string =>
  e.anonymous ? tx('anonymous') : [(e.patient?.name ?? '').replace('^', ', ').replace(/\^/g, ' '), e.patient?.id].filter(Boolean).join(' · ');

/** A time of day as the locale writes it. */
export const timeOf = (iso: string): string => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
