/**
 * A real DICOM Modality Worklist SCP: dcmtk's wlmscpfs on a free high port, serving worklist files made
 * from text dumps by dcmtk's dump2dcm. It listens on every address (it takes no bind address), hence the
 * random high port; it is stopped with SIGKILL.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../helpers/orthanc.js';

export const wlmscpfsAvailable = existsSync('/usr/bin/wlmscpfs') && existsSync('/usr/bin/dump2dcm');

/** One scheduled procedure step as the RIS holds it. */
export interface ScheduledStep {
  name: string; id: string; birthDate?: string; sex?: string; accession: string; date: string; time?: string;
  modality: string; stepDescription?: string; requestedDescription?: string; stationAe?: string; stepId?: string; requestedId?: string; studyUid?: string;
}

/** The dcmtk text dump of a worklist file (UTF-8, ISO_IR 192). */
export function worklistDump(s: ScheduledStep): string {
  // an attribute the RIS left out is written empty (wlmscpfs ignores a file whose step lacks a station AE,
  // start time, description or IDs: those get defaults)
  const opt = (tag: string, vr: string, v: string | undefined): string => (v === undefined ? `${tag} ${vr}\n` : `${tag} ${vr} [${v}]\n`);
  return '(0008,0005) CS [ISO_IR 192]\n' + opt('(0008,0050)', 'SH', s.accession) + opt('(0010,0010)', 'PN', s.name) + opt('(0010,0020)', 'LO', s.id)
    + opt('(0010,0030)', 'DA', s.birthDate) + opt('(0010,0040)', 'CS', s.sex) + opt('(0020,000d)', 'UI', s.studyUid ?? '1.2.826.0.1.3680043.2.1143.1')
    + opt('(0032,1060)', 'LO', s.requestedDescription ?? 'Ultrasound')
    + '(0040,0100) SQ\n(fffe,e000) -\n' + opt('(0008,0060)', 'CS', s.modality) + opt('(0040,0001)', 'AE', s.stationAe ?? 'SONOEDGE') + opt('(0040,0002)', 'DA', s.date)
    + opt('(0040,0003)', 'TM', s.time ?? '080000') + opt('(0040,0007)', 'LO', s.stepDescription ?? 'Ultrasound examination') + opt('(0040,0009)', 'SH', s.stepId ?? `SPS-${s.accession}`)
    + '(fffe,e00d) -\n(fffe,e0dd) -\n' + opt('(0040,1001)', 'SH', s.requestedId ?? `RP-${s.accession}`);
}

export class WorklistScp {
  #proc: ChildProcess | undefined;
  constructor(readonly port: number, readonly aeTitle: string, readonly dir: string) {}

  /** Writes one .wl file per step under `<dir>/<aeTitle>/` and starts wlmscpfs; resolves once it accepts connections. */
  static async start(dir: string, aeTitle: string, steps: ScheduledStep[]): Promise<WorklistScp> {
    const ae = join(dir, aeTitle);
    mkdirSync(ae, { recursive: true });
    writeFileSync(join(ae, 'lockfile'), '');
    steps.forEach((s, i) => {
      writeFileSync(join(ae, `item${i}.dump`), worklistDump(s));
      execFileSync('dump2dcm', ['--write-xfer-little', join(ae, `item${i}.dump`), join(ae, `item${i}.wl`)]);
    });
    const scp = new WorklistScp(await freePort(), aeTitle, dir);
    // -csk: answer with the character set the files declare (UTF-8), as a RIS does
    scp.#proc = spawn('wlmscpfs', ['-csk', '--single-process', '-dfp', dir, String(scp.port)], { stdio: 'ignore' });
    await scp.#waitListening();
    return scp;
  }

  async #waitListening(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (this.#proc?.exitCode !== null) throw new Error(`wlmscpfs exited with ${String(this.#proc?.exitCode)}`);
      const ok = await new Promise<boolean>((resolve) => {
        const s = connect(this.port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`wlmscpfs did not listen on port ${this.port}`);
  }

  stop(): void {
    this.#proc?.kill('SIGKILL');
  }
}
