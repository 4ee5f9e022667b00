/**
 * Runs Debian's tesseract (`tesseract-ocr`, `tesseract-ocr-eng`) as a child process on one 8-bit gray image:
 * the picture goes in on stdin as PGM, the words come back as TSV on stdout. Sparse text mode (--psm 11):
 * burned-in text is a few scattered labels, not a page. One OpenMP thread (the cores belong to live
 * inference), a deadline, and nothing downloaded: the language data is the Debian package's.
 */
import { spawn } from 'node:child_process';
import { ErrorCodes, SonoError } from '../errors.js';
import { type OcrWord, parseTesseractTsv } from './tsv.js';

export interface TesseractOptions {
  /** The tesseract binary (default: `tesseract` on PATH). */
  bin?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

function pgm(pixels: Uint8Array, width: number, height: number): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${width} ${height}\n255\n`, 'ascii'), Buffer.from(pixels.buffer, pixels.byteOffset, width * height)]);
}

/** The words tesseract reads in `pixels` (8-bit gray, row-major). Throws SONO_OCR_FAILED when it cannot run or runs past its deadline. */
export function readWords(pixels: Uint8Array, width: number, height: number, o: TesseractOptions): Promise<OcrWord[]> {
  if (pixels.length < width * height) throw new SonoError(ErrorCodes.OCR_FAILED, `The image to read holds ${pixels.length} bytes; ${width}×${height} needs ${width * height}`);
  const bin = o.bin ?? 'tesseract';
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['stdin', 'stdout', '--psm', '11', '-l', 'eng', 'tsv'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OMP_THREAD_LIMIT: '1' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const fail = (why: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new SonoError(ErrorCodes.OCR_FAILED, `The OCR (${bin}) could not read the image: ${why}. Install Debian's tesseract-ocr and tesseract-ocr-eng, or raise sync.ocr.timeoutMs`, { cause }));
    };
    // The deadline is wall-clock time on this process's event loop, which a synchronous job (an exam build) can
    // block for seconds: when it fires, pending I/O runs first (a child that already answered is not failed),
    // and a timer that fired far later than due (the loop was blocked, not tesseract slow) is armed once more.
    let due = Date.now() + o.timeoutMs;
    let rearmed = false;
    const expire = (): void => {
      setImmediate(() => {
        if (settled) return;
        if (!rearmed && Date.now() - due > Math.max(200, o.timeoutMs / 4)) {
          rearmed = true;
          due = Date.now() + o.timeoutMs;
          timer = setTimeout(expire, o.timeoutMs);
          return;
        }
        fail(`no answer within ${o.timeoutMs} ms`);
      });
    };
    let timer = setTimeout(expire, o.timeoutMs);
    const onAbort = (): void => fail('stopped');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => fail(e.message, e));
    child.stdin.on('error', () => {}); // a tesseract that exits early closes its stdin; the exit code says why
    child.on('close', (code) => {
      o.signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      if (code !== 0) return fail(`it exited with code ${String(code)}: ${Buffer.concat(err).toString('utf8').trim().slice(0, 300)}`);
      settled = true;
      clearTimeout(timer);
      resolve(parseTesseractTsv(Buffer.concat(out).toString('utf8')));
    });
    child.stdin.end(pgm(pixels, width, height));
  });
}
