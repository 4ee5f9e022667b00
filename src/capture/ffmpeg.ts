import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

/**
 * Input options that keep ffmpeg to one plain video file read from disk: common clip containers (MP4/MOV,
 * Matroska/WebM, AVI, MPEG-TS/PS) and the file protocol only. A playlist (HLS) or concat script would
 * open other files or URLs named inside it; for a file picked over the network that is a way out of the
 * media folders.
 */
export const PLAIN_VIDEO_INPUT: readonly string[] = ['-protocol_whitelist', 'file', '-format_whitelist', 'mov,matroska,avi,mpegts,mpeg'];

/** Width and height of the first video stream, via ffprobe; throws a clear error when it cannot. */
export function probeVideoSize(input: string, inputArgs: readonly string[] = []): { width: number; height: number } {
  const r = spawnSync('ffprobe', ['-v', 'error', ...inputArgs, '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', input], { encoding: 'utf8', timeout: 15000 });
  if (r.error) throw new Error(`Cannot run ffprobe (install Debian's ffmpeg): ${r.error.message}`);
  const m = /^(\d+),(\d+)/.exec(r.stdout.trim());
  if (r.status !== 0 || !m) throw new Error(`ffprobe cannot read a video stream from ${input}: ${(r.stderr || r.stdout).trim() || `exit ${r.status}`}`);
  return { width: Number(m[1]), height: Number(m[2]) };
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
