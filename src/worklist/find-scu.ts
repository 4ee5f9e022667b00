/**
 * Asks the RIS for its scheduled procedure steps: one association, one Modality Worklist C-FIND
 * (1.2.840.10008.5.1.4.31), through dcmjs-dimse. Every way it can fail becomes a coded SonoError that
 * says what to check; nothing waits longer than `timeoutMs` per step, nor than 3 × `timeoutMs` in all.
 */
import dimse from 'dcmjs-dimse';
import { ErrorCodes, SonoError } from '../errors.js';
import { worklistIdentifier, worklistItem } from './identifier.js';
import type { WorklistAnswer, WorklistFilter, WorklistItem, WorklistSettings } from './types.js';

const { Client, Dataset, constants } = dimse;
// The library logs every PDU to the console; the daemon logs what matters itself.
dimse.log.setLevel('silent');

/** Why an association was rejected (PS3.8 9.3.4), in words. */
const REJECT_REASON: Record<number, string> = {
  1: 'no reason given',
  2: 'the application context is not supported',
  3: `the calling AE title is not recognised`,
  7: 'the called AE title is not recognised',
};

export interface FindOptions {
  /** Stop after this many items (the query is cancelled there); default 500. */
  maxItems?: number;
  signal?: AbortSignal;
}

export function findWorklist(s: WorklistSettings, filter: WorklistFilter, opts: FindOptions = {}): Promise<WorklistAnswer> {
  const maxItems = opts.maxItems ?? 500;
  const where = `${s.calledAeTitle} at ${s.host}:${s.port}`;
  return new Promise<WorklistAnswer>((resolve, reject) => {
    const items: WorklistItem[] = [];
    let truncated = false;
    let finalStatus: number | undefined;
    let failure: SonoError | undefined;
    let settled = false;
    const client = new Client();
    const request = new dimse.requests.CFindRequest();
    request.setAffectedSopClassUid(constants.SopClass.ModalityWorklistInformationModelFind);
    request.setDataset(new Dataset(worklistIdentifier(filter)));

    const finish = (err?: SonoError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve({ items, truncated });
    };
    const fail = (err: SonoError): void => {
      failure ??= err;
      try {
        client.abort();
      } catch {
        // the socket may already be gone; the failure is reported either way
      }
      finish(failure);
    };
    const onAbort = (): void => fail(new SonoError(ErrorCodes.WORKLIST_TIMEOUT, `The worklist query to ${where} was abandoned: the request was cancelled`, { cause: opts.signal?.reason }));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    // A RIS that keeps answering slowly would otherwise hold the query open for ever.
    const overall = setTimeout(
      () => fail(new SonoError(ErrorCodes.WORKLIST_TIMEOUT, `The worklist at ${where} did not finish answering within ${3 * s.timeoutMs} ms; try again, narrow the date, or raise worklist.timeoutMs`)),
      3 * s.timeoutMs,
    );

    request.on('response', (r) => {
      const status = r.getStatus();
      if (status === constants.Status.Pending || status === 0xff01) {
        if (!r.hasDataset()) return;
        if (items.length >= maxItems) {
          if (!truncated) client.cancel(request);
          truncated = true;
          return;
        }
        items.push(worklistItem(r.getDataset().getElements() as Record<string, unknown>));
        return;
      }
      finalStatus = status;
      if (status !== constants.Status.Success && status !== constants.Status.Cancel) {
        const comment = r.getErrorComment?.();
        failure ??= new SonoError(
          ErrorCodes.WORKLIST_QUERY_FAILED,
          `The worklist at ${where} refused the query with status 0x${status.toString(16).padStart(4, '0')}${comment ? ` (${comment})` : ''}; ask the RIS administrator whether this device may query it`,
          { details: { status } },
        );
      }
    });
    client.on('associationRejected', (rj: { result: number; source: number; reason: number }) => {
      failure ??= new SonoError(
        ErrorCodes.WORKLIST_REJECTED,
        `The worklist at ${s.host}:${s.port} rejected the association (${REJECT_REASON[rj.reason] ?? `reason ${rj.reason}`}, ${rj.result === 1 ? 'permanent' : 'transient'}); check worklist.calledAeTitle ("${s.calledAeTitle}") and that the RIS knows this device as "${s.callingAeTitle}"`,
        { details: { result: rj.result, source: rj.source, reason: rj.reason } },
      );
    });
    client.on('networkError', (e: Error) => {
      const timedOut = /timeout/i.test(e.message);
      failure ??= timedOut
        ? new SonoError(
            ErrorCodes.WORKLIST_TIMEOUT,
            `The worklist at ${where} did not answer within ${s.timeoutMs} ms; check that it is running and that worklist.port is its DICOM port, or raise worklist.timeoutMs`,
            { cause: e },
          )
        : new SonoError(
            ErrorCodes.WORKLIST_UNREACHABLE,
            `The worklist at ${s.host}:${s.port} cannot be reached (${e.message.replace(/^.*?-> /, '')}); check the network and worklist.host and worklist.port, or type the patient's details`,
            { cause: e },
          );
    });
    client.on('closed', () => {
      if (failure) return finish(failure);
      if (finalStatus === undefined) {
        return finish(new SonoError(ErrorCodes.WORKLIST_QUERY_FAILED, `The worklist at ${where} closed the connection before answering; try again, and ask the RIS administrator to check its log`));
      }
      finish();
    });
    client.addRequest(request);
    client.send(s.host, s.port, s.callingAeTitle, s.calledAeTitle, { connectTimeout: s.timeoutMs, associationTimeout: s.timeoutMs, pduTimeout: s.timeoutMs });
  });
}
