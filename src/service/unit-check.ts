/**
 * One line for `sonoedge doctor`: how exposed the installed unit is, as `systemd-analyze security` rates it
 * (offline: reads the unit file, needs no running manager). 3.0 or lower is what the shipped unit achieves.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const INSTALLED_UNIT = '/etc/systemd/system/sonoedge.service';
export const EXPOSURE_LIMIT = 3.0;

export interface UnitHardening {
  ok: boolean;
  /** The overall exposure (0 best … 10 worst); undefined when it could not be measured. */
  exposure: number | undefined;
  line: string;
}

export function unitHardening(unitFile = INSTALLED_UNIT): UnitHardening {
  if (!existsSync(unitFile)) return { ok: false, exposure: undefined, line: `unit hardening: ${unitFile} is not installed; run scripts/install.sh` };
  const r = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', unitFile], { encoding: 'utf8', timeout: 20_000 });
  if (r.error) return { ok: false, exposure: undefined, line: `unit hardening: unknown (systemd-analyze: ${r.error.message})` };
  const m = /Overall exposure level for [^:]+: ([0-9.]+)/.exec(`${r.stdout}${r.stderr}`);
  if (!m) return { ok: false, exposure: undefined, line: `unit hardening: systemd-analyze gave no rating for ${unitFile}` };
  const exposure = Number(m[1]);
  const ok = exposure <= EXPOSURE_LIMIT;
  return {
    ok,
    exposure,
    line: ok
      ? `unit hardening: ${exposure.toFixed(1)} (systemd-analyze security; ${EXPOSURE_LIMIT.toFixed(1)} or lower is the target)`
      : `unit hardening: ${exposure.toFixed(1)}, above ${EXPOSURE_LIMIT.toFixed(1)}: ${unitFile} lost hardening options; reinstall it with scripts/install.sh`,
  };
}
