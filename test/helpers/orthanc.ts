/**
 * A real Orthanc with the DICOMweb plugin (Debian packages) on loopback high ports, authentication on,
 * remote access off, in a temp dir. Orthanc listens on all addresses whatever it is told, hence high
 * random ports; it is stopped with SIGKILL.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ORTHANC_BIN = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
export const orthancAvailable = existsSync(ORTHANC_BIN) && existsSync(DICOMWEB_PLUGIN);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface OrthancInfo {
  httpPort: number;
  dicomPort: number;
  dir: string;
  user: string;
  password: string;
  root: string;
  dicomWeb: string;
}

export class OrthancServer {
  #proc: ChildProcess | undefined;
  constructor(readonly info: OrthancInfo) {}

  static async create(dir: string): Promise<OrthancServer> {
    mkdirSync(dir, { recursive: true });
    const info: OrthancInfo = { httpPort: await freePort(), dicomPort: await freePort(), dir, user: 'sono', password: 'edge-' + Math.random().toString(36).slice(2), root: '', dicomWeb: '' };
    info.root = `http://127.0.0.1:${info.httpPort}`;
    info.dicomWeb = `${info.root}/dicom-web`;
    writeFileSync(join(dir, 'orthanc.json'), JSON.stringify({
      Name: 'sonoedge-test', StorageDirectory: join(dir, 'storage'), IndexDirectory: join(dir, 'index'),
      HttpPort: info.httpPort, DicomPort: info.dicomPort, RemoteAccessAllowed: false, AuthenticationEnabled: true,
      RegisteredUsers: { [info.user]: info.password }, Plugins: [DICOMWEB_PLUGIN], DicomWeb: { Enable: true, Root: '/dicom-web/' },
      HttpServerEnabled: true, DicomServerEnabled: false, StableAge: 1, ConcurrentJobs: 1, HttpThreadsCount: 4,
    }, null, 2));
    const s = new OrthancServer(info);
    await s.start();
    return s;
  }

  async start(): Promise<void> {
    this.#proc = spawn(ORTHANC_BIN, [join(this.info.dir, 'orthanc.json')], { stdio: 'ignore' });
    const t0 = Date.now();
    for (;;) {
      try {
        const r = await fetch(this.info.root + '/system', { headers: this.auth() });
        if (r.ok) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() - t0 > 30000) throw new Error('Orthanc did not start within 30 s');
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  auth(): Record<string, string> {
    return { authorization: 'Basic ' + Buffer.from(`${this.info.user}:${this.info.password}`).toString('base64') };
  }

  kill(): void {
    this.#proc?.kill('SIGKILL');
    this.#proc = undefined;
  }

  async instances(): Promise<string[]> {
    return (await (await fetch(this.info.root + '/instances', { headers: this.auth() })).json()) as string[];
  }

  async file(id: string): Promise<Buffer> {
    return Buffer.from(await (await fetch(`${this.info.root}/instances/${id}/file`, { headers: this.auth() })).arrayBuffer());
  }
}

export function killStrayOrthancs(): void {
  spawnSync('pkill', ['-9', '-f', 'sonoedge-test-orthanc']);
}
