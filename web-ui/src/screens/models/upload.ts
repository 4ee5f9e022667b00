/**
 * Sends a model package to POST /api/models with XMLHttpRequest, whose upload events give the progress
 * bar (fetch() has no upload progress). Answers the install report, or the refusal with its step and code.
 */
import type { InstallReport } from '../system/api';

export type InstallAnswer =
  | { ok: true; report: InstallReport }
  | { ok: false; status: number; code: string; message: string; step: string | undefined; report: InstallReport | undefined };

export function uploadPackage(file: Blob, activate: boolean, onProgress: (fraction: number) => void): Promise<InstallAnswer> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/models?activate=${activate}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.addEventListener('progress', (e) => e.lengthComputable && onProgress(e.loaded / e.total));
    xhr.upload.addEventListener('load', () => onProgress(1));
    xhr.addEventListener('load', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(xhr.responseText) as Record<string, unknown>;
      } catch {
        // not JSON (a proxy's page): the status says what happened
      }
      if (xhr.status === 200) return resolve({ ok: true, report: body as unknown as InstallReport });
      resolve({
        ok: false, status: xhr.status,
        code: typeof body.code === 'string' ? body.code : `HTTP_${xhr.status}`,
        message: typeof body.message === 'string' ? body.message : `HTTP ${xhr.status}`,
        step: typeof body.step === 'string' ? body.step : undefined,
        report: body.report as InstallReport | undefined,
      });
    });
    const failed = (): void => resolve({ ok: false, status: 0, code: 'NETWORK', message: 'The device did not answer; check the connection and try again.', step: undefined, report: undefined });
    xhr.addEventListener('error', failed);
    xhr.addEventListener('abort', failed);
    xhr.send(file);
  });
}
