/** The System page's status list: version, source, faults, disk, calibration scope and pairing fingerprints. */
import { version } from '../../../../package.json';
import type { HealthDto, SpacingDto } from '../../../../src/protocol/rest/index.js';
import { t } from '../../i18n';
import type { TlsDto } from './api';
import { num, st } from './text';

const GIB = 2 ** 30;

/** Which frames a calibration applies to, said plainly. */
export function calibrationScope(c: SpacingDto | undefined): string {
  if (!c?.pixelSpacing) return st('calNone');
  const mm = num(c.pixelSpacing.x, 4);
  return c.frame ? st('calFor', { mm, w: c.frame.width, h: c.frame.height }) : st('calAll', { mm });
}

function sourceLine(h: HealthDto): string {
  const s = h.source;
  if (!s) return '–';
  const errors = s.errors ? ` · ${s.errors} ${s.lastError ? `(${s.lastError})` : ''}` : '';
  return `${s.driver} · ${s.state} · ${num(s.fps)} ${t('fps')}${errors}`;
}

/** Free space, and the disk guard's level and message when it is not ok (what to do is in the message). */
function diskLine(d: NonNullable<HealthDto['disk']>): string {
  const free = `${d.path} · ${st('diskFree', { free: num(d.freeBytes / GIB), total: num(d.totalBytes / GIB) })}`;
  return d.level && d.level !== 'ok' ? `${free} · ${d.level}${d.message ? ` · ${d.message}` : ''}` : free;
}

function tlsLine(tls: TlsDto | undefined): string {
  if (!tls) return '–';
  if (!tls.secure) return st('tlsOff');
  return [tls.certificate ?? '–', tls.ca ? `${st('tlsCa')}: ${tls.ca}` : ''].filter(Boolean).join(' · ');
}

/** The device secret's problem in plain words with what to do (health tells a technician or admin only); '' when none. */
export function deviceSecretText(h: HealthDto): string {
  const w = h.deviceSecretWarning;
  return w ? st(`secret_${w.problem}`, { where: w.where }) : '';
}

/**
 * The rows of the status list. The version is this build's (package.json at build time): the page and the
 * daemon ship in one package and the daemon serves the page it was built with.
 */
export function statusRows(h: HealthDto, cal: SpacingDto | undefined, tls: TlsDto | undefined): Array<readonly [string, string]> {
  const f = h.faults;
  const p = h.pipeline;
  return [
    [st('version'), version],
    [t('source'), sourceLine(h)],
    [st('calScope'), calibrationScope(cal)],
    [t('provider'), h.provider ?? '–'],
    [t('uptime'), `${Math.round(h.uptimeSeconds / 60)} min`],
    [st('faults'), f ? st('faultsLine', { a: f.attributed, u: f.unattributed }) + (f.lastUnattributed ? ` · ${f.lastUnattributed}` : '') : '–'],
    [st('pipelineFaults'), p ? `${p.framesRejected}${p.lastRejected ? ` · ${p.lastRejected}` : ''}` : '–'],
    [t('disk'), h.disk ? diskLine(h.disk) : '–'],
    [st('tls'), tlsLine(tls)],
  ];
}
