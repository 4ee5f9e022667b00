import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { ErrorCodes, SonoError } from '../errors.js';

/**
 * Input options that keep ffmpeg to one plain video file read from disk: common clip containers (MP4/MOV,
 * Matroska/WebM, AVI, MPEG-TS/PS) and the file protocol only. A playlist (HLS) or concat script would
 * open other files or URLs named inside it; for a file picked over the network that is a way out of the
 * media folders.
 */
export const PLAIN_VIDEO_INPUT: readonly string[] = ['-protocol_whitelist', 'file', '-format_whitelist', 'mov,matroska,avi,mpegts,mpeg'];

/** How long ffprobe may take to name a video's size (a source switch waits on it; its start deadline is 20 s). */
export const PROBE_TIMEOUT_MS = 10_000;

/**
 * Width and height of the first video stream, via ffprobe run beside the event loop (a source switch from
 * the UI must not stop the daemon while it reads). Rejects with a coded error: SONO_SOURCE_START_TIMEOUT when
 * ffprobe has not answered within `timeoutMs` (it is killed), SONO_SOURCE_FAILED when it cannot run or read.
 */
export function probeVideoSize(input: string, inputArgs: readonly string[] = [], timeoutMs = PROBE_TIMEOUT_MS): Promise<{ width: number; height: number }> {
  const args = ['-v', 'error', ...inputArgs, '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', input];
  return new Promise((resolve, reject) => {
    execFile('ffprobe', args, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const m = /^(\d+),(\d+)/.exec(stdout.trim());
      if (!err && m) return resolve({ width: Number(m[1]), height: Number(m[2]) });
      const e = err as (Error & { code?: unknown; killed?: boolean }) | null;
      if (e?.killed)
        return reject(
          new SonoError(
            ErrorCodes.SOURCE_START_TIMEOUT,
            `ffprobe did not say the video size of ${input} within ${timeoutMs / 1000} s and was stopped (a pipe nobody writes to, a stalled network or USB drive?); check the file and try again`,
            {
              cause: err,
              details: { timeoutMs },
            },
          ),
        );
      if (e && typeof e.code === 'string') return reject(new SonoError(ErrorCodes.SOURCE_FAILED, `Cannot run ffprobe (install Debian's ffmpeg): ${e.message}`, { cause: err }));
      reject(new SonoError(ErrorCodes.SOURCE_FAILED, `ffprobe cannot read a video stream from ${input}: ${(stderr || stdout).trim() || `exit ${String(e?.code ?? 0)}`}`, { cause: err ?? undefined }));
    });
  });
}

/**
 * Runs ffmpeg writing raw 8-bit gray frames of a known size to stdout and hands each complete frame to
 * `onFrame` as a view into one of a few reused buffers.
 */
export class FfmpegFrameReader {
  #proc: ChildProcess | undefined;
  #ring: Uint8Array[];
  #fill = 0;
  #slot = 0;
  #stderr = '';

  constructor(
    readonly args: string[],
    readonly frameBytes: number,
    ringSize: number,
  ) {
    this.#ring = Array.from({ length: ringSize }, () => new Uint8Array(frameBytes));
  }

  start(onFrame: (data: Uint8Array) => void, onExit: (code: number | null, stderr: string) => void): void {
    const proc = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...this.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#proc = proc;
    proc.stderr!.on('data', (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-2000);
    });
    proc.stdout!.on('data', (chunk: Buffer) => {
      let off = 0;
      while (off < chunk.length) {
        const buf = this.#ring[this.#slot]!;
        const n = Math.min(this.frameBytes - this.#fill, chunk.length - off);
        buf.set(chunk.subarray(off, off + n), this.#fill);
        this.#fill += n;
        off += n;
        if (this.#fill === this.frameBytes) {
          this.#fill = 0;
          this.#slot = (this.#slot + 1) % this.#ring.length;
          onFrame(buf);
        }
      }
    });
    proc.on('error', (err) => onExit(null, `Cannot run ffmpeg (install Debian's ffmpeg): ${err.message}`));
    proc.on('close', (code) => onExit(code, this.#stderr.trim()));
  }

  stop(): void {
    this.#proc?.kill('SIGKILL');
    this.#proc = undefined;
  }
}
