/** The report datasets of one revision of a closed exam, shared by the close-time and revision-time builders. */
import type { Exam } from '../records/types.js';
import { type Dataset, dicomDate, dicomTime } from './dicom-file.js';
import type { buildMeasurementSr } from './sr.js';
import { type ReportRevision, buildReports } from './sr-revision.js';
import { keyedUid } from './uids.js';
import type { StudyContext } from './us-image.js';

/**
 * The TID 1500 report (and an obstetric exam's TID 5000 one) of revision `o.report`, UIDs from sr-revision, not yet
 * de-identified: the one place both builders (buildExamInstances at close, buildExamReportInstances for a later
 * revision) make them, so the two cannot drift apart.
 */
export function reportDatasets(
  exam: Exam,
  study: StudyContext,
  groups: Parameters<typeof buildMeasurementSr>[1]['groups'],
  model: { name: string; version: string; provider: string },
  withheld: number,
  o: { secret: string; report?: ReportRevision | undefined },
): Dataset[] {
  const examType = exam.examType ?? 'obstetric';
  const closed = new Date(exam.closedAt ?? exam.createdAt);
  return buildReports(
    study,
    {
      contentDate: dicomDate(closed),
      contentTime: dicomTime(closed),
      groups,
      algorithm: { name: model.name, version: model.version, provider: model.provider, deviceUid: keyedUid('sonoedge-model', `${model.name}@${model.version}`) },
      examType,
      notes: [
        ...(exam.datingGaWeeks ? [`Dating gestational age ${exam.datingGaWeeks.toFixed(1)} weeks.`] : []),
        ...(withheld
          ? [`${withheld} image(s) withheld: the source has no imaging region set, so burned-in text could not be removed; they are kept on the device until a technician releases them.`]
          : []),
      ],
    },
    { secret: o.secret, examId: exam.id, examType, report: o.report },
  );
}
