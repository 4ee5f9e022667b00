import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { LoadedConfig } from '../config/load.js';
import type { ProviderName } from '../config/schema.js';
import { dataDirOf, modelsDirOf } from '../config/paths.js';
import { tlsFingerprints } from '../access/tls.js';
import { errorMessage } from '../errors.js';
import { executionProvider } from '../inference/providers.js';
import { DiskGuard } from '../service/disk-guard.js';
import { unitHardening } from '../service/unit-check.js';
import { listModelPackages, readVerifiedModelFile } from '../models/package.js';
import { describeV4l2 } from '../../drivers/v4l2/v4l2.js';
import { type DoctorLine, certificateLines, syncLines, usbDevicesLine, versionsLine } from './doctor-checks.js';

/** One line per check: what this machine can do. Returns false when something the config needs is missing. */
export async function runDoctor(loaded: LoadedConfig, print: (line: string) => void): Promise<boolean> {
  let ok = true;
  const { config } = loaded;
  const say = (l: DoctorLine): void => {
    if (!l.ok) ok = false;
    print(l.line);
  };
  say(versionsLine());
  print(
    `onnxruntime-node backends: ${ort
      .listSupportedBackends()
      .map((b) => b.name)
      .join(', ')}`,
  );
  const pkgs = listModelPackages(modelsDirOf(loaded));
  for (const p of pkgs) {
    if (!('manifest' in p)) {
      ok = false;
      print(`model ${p.dir}: INVALID ${p.error.split('\n')[0]}`);
      continue;
    }
    const bad = p.manifest.files.filter((f) => {
      try {
        readVerifiedModelFile(p, f);
        return false;
      } catch {
        return true;
      }
    });
    print(`model ${p.manifest.id} ${p.manifest.version}: ${bad.length ? `CORRUPT files ${bad.map((f) => f.path).join(', ')}` : `${p.manifest.files.length} files verified`}`);
    if (bad.length) ok = false;
  }
  const probe = pkgs.find((p) => 'manifest' in p);
  for (const provider of ['tensorrt', 'cuda', 'cpu'] as ProviderName[]) {
    if (!probe || !('manifest' in probe)) break;
    const file = probe.manifest.files.find((f) => f.precision === 'fp32');
    if (!file) break;
    try {
      const s = await ort.InferenceSession.create(readVerifiedModelFile(probe, file), { executionProviders: [executionProvider(provider, config.inference)] });
      await s.release();
      print(`provider ${provider}: available`);
    } catch (err) {
      print(`provider ${provider}: unavailable (${errorMessage(err).split('\n')[0]})`);
      if (provider === 'cpu') ok = false;
    }
  }
  const ffmpeg = spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' });
  const ffmpegLine = ffmpeg.status === 0 ? (ffmpeg.stdout.split('\n')[0] ?? 'ffmpeg') : 'ffmpeg not found (install Debian ffmpeg)';
  print(`driver simulated: available (software probe, no hardware needed)`);
  print(`driver replay: images via sharp; video via ${ffmpegLine}`);
  print(`driver dicom: uncompressed single- and multi-frame ultrasound files via dcmjs`);
  print(`driver igtl: OpenIGTLink client (TCP; configured ${String(config.drivers.igtl?.host ?? '127.0.0.1')}:${String(config.drivers.igtl?.port ?? 18944)})`);
  try {
    const { SerialPort } = await import('serialport');
    const ports = await SerialPort.list();
    print(`driver serial (probe control): ${ports.length ? ports.map((p) => p.path).join(', ') : 'no serial ports found'}`);
  } catch (err) {
    print(`driver serial (probe control): cannot list ports (${errorMessage(err)})`);
  }
  print(`driver usb: bulk frame reader and hotplug via the usb package (libusb)${config.usbHotplug ? `; ${config.usbHotplug.devices.length} known devices` : ''}`);
  print(`driver v4l2: ${describeV4l2()}; ${ffmpeg.status === 0 ? 'ffmpeg present' : 'ffmpeg missing'}`);
  say(usbDevicesLine());
  const dataDir = dataDirOf(loaded);
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
    print(`data dir ${dataDir}: writable`);
  } catch (err) {
    ok = false;
    print(`data dir ${dataDir}: NOT writable (${errorMessage(err)})`);
  }
  // the fingerprint a technician compares on a tablet before trusting the device's certificate
  let tls: ReturnType<typeof tlsFingerprints>;
  let tlsBroken = false;
  try {
    tls = tlsFingerprints(config.server, dataDir, loaded.baseDir);
  } catch (err) {
    // a broken certificate is one failed line; the checks after it are what the technician needs that day
    tlsBroken = true;
    say({ ok: false, line: `https: FAILED ${errorMessage(err)}` });
  }
  if (!tlsBroken)
    print(
      config.server.tls === undefined
        ? `https: off (plain HTTP on ${config.server.host})`
        : tls
          ? `https: certificate SHA-256 ${tls.certificate}${tls.ca ? `; device CA SHA-256 ${tls.ca} (trust this CA on tablets)` : ''}`
          : 'https: the certificate is made at the first start of serve',
    );
  certificateLines(config, dataDir, loaded.baseDir).forEach(say);
  (await syncLines(config.sync.targets, loaded.baseDir)).forEach(say);
  // disk against the guard's levels, the clock (a board without an RTC boots in 1970), the installed unit
  const disk = new DiskGuard({ path: dataDir, levels: config.storage }).state;
  print(
    `disk ${dataDir}: ${disk.freeMb ?? '?'} MiB free (warn < ${disk.warnFreeMb}, no cine < ${disk.stopCineFreeMb}, refuse < ${disk.refuseFreeMb})${disk.message ? ` — ${disk.message}; free space` : ''}`,
  );
  const year = new Date().getUTCFullYear();
  if (year < 2024) ok = false;
  print(
    year < 2024
      ? `clock: ${new Date().toISOString()} is wrong (no RTC battery or no time sync?): set it (timedatectl set-ntp true, or date -s) before taking exams; certificates and exam dates depend on it`
      : `clock: ${new Date().toISOString()}`,
  );
  print(unitHardening().line);
  print(`configured source: ${config.source.driver}; models: ${config.models.map((m) => m.id).join(', ')}; providers: ${config.inference.providers.join(' → ')}`);
  return ok;
}
