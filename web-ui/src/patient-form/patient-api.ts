/** The patient picker's, worklist's, exam record's and growth page's requests (through the one client). */
import type { DecisionHistoryDto, ExamSummaryDto, PatientGrowthDto, PatientSummaryDto } from '../../../src/protocol/rest/index.js';
import type { WorklistDto } from '../../../src/protocol/rest/worklist.js';
import { type Exam, request } from '../api';

const q = encodeURIComponent;

export const patientApi = {
  searchPatients: (text: string) => request<PatientSummaryDto[]>('GET', `/api/patients?q=${q(text)}&limit=8`),
  worklist: () => request<WorklistDto>('GET', '/api/worklist'),
  growth: (patientId: string) => request<PatientGrowthDto>('GET', `/api/patients/${q(patientId)}/growth`),
  listExams: () => request<ExamSummaryDto[]>('GET', '/api/exams'),
  decisions: (examId: string) => request<DecisionHistoryDto>('GET', `/api/exams/${q(examId)}/decisions`),
  /** This device opens an exam already started: the daemon refuses it the frames received before (409 SONO_FRAME_BEFORE_EXAM). */
  resumeExam: (examId: string) => request<Exam>('POST', `/api/exams/${q(examId)}/resume`),
  voidExam: (examId: string, reason: string) => request<Exam>('POST', `/api/exams/${q(examId)}/void`, { json: { reason } }),
  reportUrl: (examId: string) => `/api/exams/${q(examId)}/report.pdf`,
};
