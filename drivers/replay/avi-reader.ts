import { type ChildProcess, spawn } from 'node:child_process';

/** What the reader hands on: a frame of the clip's size, or the first frame of another size (not read). */
export type AviEvent = { kind: 'frame'; data: Uint8Array; width: number; height: number } | { kind: 'size-change'; index: number; width: number; height: number; bytes: number };

/** ffmpeg's output options: raw 8-bit gray frames, never rescaled to the first frame's size, framed in AVI chunks. */
export const AVI_OUTPUT: readonly string[] = ['-autoscale', '0', '-c:v', 'rawvideo', '-pix_fmt', 'gray', '-f', 'avi', '-'];

const MAX_HEADER_CHUNK = 1 << 16;

/** The chunk being read: a frame into `buf`, a header chunk kept whole, or bytes to skip. */
interface Chunk {
  id: string;
  left: number;
  pad: number;
  fill: number;
  buf?: Uint8Array;
  keep?: Buffer[];
}

/**
 * Runs ffmpeg writing raw gray frames inside AVI (RIFF) chunks and reads them as they come: the frame size
 * is read from the AVI main header (`avih`, after ffmpeg's display rotation), and each frame chunk says its
 * own length, so a frame of another size is seen as such instead of being cut at the wrong place (plain
 * rawvideo on a pipe has no framing; ffmpeg's default would rescale it to the first size). Frames reuse a
 * ring of `ringSize` buffers; zero-length chunks (ffmpeg's "repeat the previous frame") are skipped.
 */
export class AviFrameReader {
  #proc: ChildProcess | undefined;
  #stderr = '';
  #pending = Buffer.alloc(0);
  #size: { width: number; height: number } | undefined;
  #ring: Uint8Array[] = [];
  #slot = 0;
  #frames = 0;
  #chunk: Chunk | undefined;

  constructor(
    readonly args: readonly string[],
    readonly ringSize: number,
  ) {}

  start(onEvent: (e: AviEvent) => void, onExit: (code: number | null, stderr: string) => void): void {
    const proc = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...this.args, ...AVI_OUTPUT], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#proc = proc;
    proc.stderr!.on('data', (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-2000);
    });
    proc.stdout!.on('data', (chunk: Buffer) => {
      try {
        this.#take(chunk, onEvent);
      } catch (err) {
        this.stop();
        onExit(null, (err as Error).message);
      }
    });
    proc.on('error', (err) => onExit(null, `Cannot run ffmpeg (install Debian's ffmpeg): ${err.message}`));
    proc.on('close', (code) => {
      if (this.#proc === proc) onExit(code, this.#stderr.trim());
    });
  }

  #take(input: Buffer, onEvent: (e: AviEvent) => void): void {
    let data = input;
    while (data.length > 0 && this.#proc) {
      const c = this.#chunk;
      if (!c) {
        const head = Buffer.concat([this.#pending, data]);
        if (head.length < 12) {
          this.#pending = head;
          return;
        }
        this.#pending = Buffer.alloc(0);
        const id = head.toString('latin1', 0, 4);
        const len = head.readUInt32LE(4);
        if (id === 'RIFF' || id === 'LIST') {
          data = head.subarray(12); // a container: its chunks follow
          continue;
        }
        data = head.subarray(8);
        this.#chunk = { id, left: len, pad: len & 1, fill: 0 };
        if (/^\d\d(db|dc)$/.test(id)) this.#startFrame(this.#chunk, len, onEvent);
        else if (id === 'avih') {
          if (len > MAX_HEADER_CHUNK) throw new Error(`ffmpeg wrote an AVI header of ${len} bytes`);
          this.#chunk.keep = [];
        }
        if (!this.#proc) return;
        continue;
      }
      const n = Math.min(c.left + c.pad, data.length);
      const body = data.subarray(0, Math.min(n, c.left));
      if (c.buf) c.buf.set(body, c.fill);
      c.keep?.push(Buffer.from(body));
      c.fill += body.length;
      c.left -= body.length;
      if (n > body.length) c.pad = 0;
      data = data.subarray(n);
      if (c.left === 0 && c.pad === 0) {
        this.#chunk = undefined;
        if (c.keep) {
          const h = Buffer.concat(c.keep);
          this.#size = { width: h.readUInt32LE(32), height: h.readUInt32LE(36) };
        } else if (c.buf) onEvent({ kind: 'frame', data: c.buf, width: this.#size!.width, height: this.#size!.height });
      }
    }
  }

  #startFrame(c: Chunk, len: number, onEvent: (e: AviEvent) => void): void {
    if (len === 0) return;
    const s = this.#size;
    if (!s) throw new Error('ffmpeg wrote a frame before the AVI header');
    if (len !== s.width * s.height) {
      onEvent({ kind: 'size-change', index: this.#frames, width: s.width, height: s.height, bytes: len });
      this.stop();
      return;
    }
    if (this.#ring.length === 0) this.#ring = Array.from({ length: this.ringSize }, () => new Uint8Array(len));
    c.buf = this.#ring[this.#slot]!;
    this.#slot = (this.#slot + 1) % this.#ring.length;
    this.#frames++;
  }

  stop(): void {
    this.#proc?.kill('SIGKILL');
    this.#proc = undefined;
  }
}
