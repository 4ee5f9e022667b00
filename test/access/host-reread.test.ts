/**
 * An address the device gets after start-up is accepted in the Host header without a restart (review finding:
 * the names were read once at start-up, and a tablet using a DHCP address that came later got 421 until the
 * daemon restarted). The interface reader is injected: no real network change.
 */
import { join } from 'node:path';
import type { NetworkInterfaceInfo } from 'node:os';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { openAccess } from '../../src/access/access.js';
import { deviceHostCheck, deviceNames } from '../../src/access/device-names.js';
import accessPlugin, { accessPluginOptions } from '../../src/server/access/plugin.js';
import { tempDir } from '../helpers/tmp.js';
import { openDataDir } from './access-app.js';

/** A fake set of interfaces: loopback, and whatever a test adds to eth0 later. */
function fakeInterfaces(): { read: () => Record<string, NetworkInterfaceInfo[]>; add: (address: string) => void; reads: () => number } {
  const eth0: NetworkInterfaceInfo[] = [];
  let reads = 0;
  const lo: NetworkInterfaceInfo = { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' };
  return {
    read: () => {
      reads++;
      return { lo: [lo], eth0: [...eth0] };
    },
    add: (address) => eth0.push({ address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: `${address}/24` }),
    reads: () => reads,
  };
}

describe('the Host check', () => {
  it('accepts an address the device got after the daemon started, without a restart', async () => {
    const nics = fakeInterfaces();
    const { db, deviceSecret } = openDataDir(join(tempDir('sonoedge-host-reread-'), 'data'));
    const app = Fastify();
    await app.register(accessPlugin, {
      services: openAccess(db, deviceSecret), secure: false, names: () => deviceNames([], undefined, nics.read), maxWebSockets: 4,
      rateLimit: { max: 1000, windowMs: 60_000, signInMax: 10 },
    });
    app.get('/api/health', { config: { access: 'public' } }, async () => ({ status: 'ok' }));
    await app.ready();
    const health = async (host: string): Promise<number> => (await app.inject({ method: 'GET', url: '/api/health', headers: { host } })).statusCode;
    expect(await health('localhost:8080')).toBe(200);
    // the DHCP lease comes after start-up
    nics.add('10.77.0.1');
    expect(await health('10.77.0.1:8080')).toBe(200);
    // a name that is not the device's is still refused
    expect(await health('evil.example')).toBe(421);
    await app.close();
    db.close();
  });

  it('reads the interfaces again at most once per 5 s however many foreign Hosts come', () => {
    const nics = fakeInterfaces();
    let t = 1_000_000;
    const allowed = deviceHostCheck(() => deviceNames([], undefined, nics.read), { now: () => t });
    expect(nics.reads()).toBe(1); // at start-up
    for (let i = 0; i < 1000; i++) expect(allowed(`evil${i}.example`)).toBe(false);
    expect(nics.reads()).toBe(2); // the first foreign Host read again; the rest used that read
    nics.add('10.77.0.2');
    t += 4999;
    expect(allowed('10.77.0.2')).toBe(false); // within 5 s of the last read
    expect(allowed('localhost')).toBe(true); // a known name never reads
    expect(nics.reads()).toBe(2);
    t += 1;
    expect(allowed('10.77.0.2:443')).toBe(true);
    expect(nics.reads()).toBe(3);
  });

  it("is given the daemon's names as a function to read again", () => {
    const { db, deviceSecret } = openDataDir(join(tempDir('sonoedge-host-options-'), 'data'));
    const server = { host: '127.0.0.1', port: 0, allowInsecureHttp: true, allowedHosts: ['ward3.local'], rateLimit: { max: 600, windowMs: 60_000, signInMax: 20 }, maxWebSockets: 16, requestTimeoutMs: 30_000 };
    const names = accessPluginOptions(openAccess(db, deviceSecret), server, { secure: false }).names;
    expect(typeof names).toBe('function');
    expect(deviceHostCheck(names)('ward3.local:8443')).toBe(true);
    db.close();
  });

  it('never re-reads fixed names', () => {
    const nics = fakeInterfaces();
    const allowed = deviceHostCheck(deviceNames([], undefined, nics.read));
    nics.add('10.77.0.3');
    expect(allowed('10.77.0.3')).toBe(false);
    expect(nics.reads()).toBe(1);
  });
});
