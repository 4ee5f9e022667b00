/**
 * The names and addresses clients use to reach this device: what the certificate must cover and what the Host
 * header may say (a page on evil.example that rebinds its DNS to the device's address sends Host: evil.example).
 */
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';

export interface DeviceNames {
  hosts: string[];
  ips: string[];
}

/** Loopback, the machine's hostname (and its mDNS .local name), every interface address, and the extra names configured. */
export function deviceNames(extra: readonly string[] = [], bindHost?: string): DeviceNames {
  const host = hostname().toLowerCase();
  const hosts = new Set(['localhost', host, `${host}.local`]);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:'))) ips.add(a.address.toLowerCase());
  }
  for (const name of [...extra, ...(bindHost ? [bindHost] : [])]) {
    const n = name.toLowerCase();
    if (n === '0.0.0.0' || n === '::') continue;
    (isIP(n) ? ips : hosts).add(n);
  }
  return { hosts: [...hosts], ips: [...ips] };
}

/** The host part of a Host header or URL authority ("[::1]:8080" → "::1", "Tablet.local:443" → "tablet.local"). */
export function hostOf(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) return a.slice(1, a.indexOf(']') === -1 ? undefined : a.indexOf(']'));
  const colon = a.indexOf(':');
  // a bare IPv6 address has several colons and no port
  return colon !== -1 && a.indexOf(':', colon + 1) === -1 ? a.slice(0, colon) : a;
}

export function isDeviceHost(names: DeviceNames, authority: string): boolean {
  const h = hostOf(authority);
  return names.hosts.includes(h) || names.ips.includes(h);
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a) || a === 'localhost';
}
