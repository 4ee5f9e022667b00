import { Gauge, type Registry } from 'prom-client';
import { DISK_LEVEL_NUMBER, type DiskGuard } from './disk-guard.js';

/** sonoedge_disk_free_bytes and sonoedge_disk_guard_level (0 ok, 1 warn, 2 no cine, 3 refusing writes), read at scrape time. */
export function registerDiskMetrics(registry: Registry, guard: DiskGuard): void {
  new Gauge({
    name: 'sonoedge_disk_free_bytes',
    help: 'Free space on the filesystem holding the records (statfs bavail)',
    registers: [registry],
    collect() {
      const s = guard.check();
      if (s.freeMb !== undefined) this.set(s.freeMb * 1024 * 1024);
    },
  });
  new Gauge({
    name: 'sonoedge_disk_guard_level',
    help: 'Disk guard level: 0 ok, 1 warn, 2 cine stopped, 3 new exams and captures refused',
    registers: [registry],
    collect() {
      this.set(DISK_LEVEL_NUMBER[guard.state.level]);
    },
  });
}
