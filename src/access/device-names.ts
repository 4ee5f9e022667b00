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

/** What os.networkInterfaces() gives; injectable so a test can give the device an address after start-up. */
export type InterfaceReader = () => ReturnType<typeof networkInterfaces>;

/** Loopback, the machine's hostname (and its mDNS .local name), every interface address, and the extra names configured. */
export function deviceNames(extra: readonly string[] = [], bindHost?: string, readInterfaces: InterfaceReader = networkInterfaces): DeviceNames {
  const host = hostname().toLowerCase();
  const hosts = new Set(['localhost', host, `${host}.local`]);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(readInterfaces())) {
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

/** How long a re-read of the names is reused: a flood of requests with a foreign Host costs one read per this. */
export const DEVICE_NAMES_REREAD_MS = 5000;

/**
 * A Host check over names that may change while the daemon runs: an address the device gets after start-up (a
 * DHCP lease that came after the daemon started, a renewed lease, a second interface) is accepted without a
 * restart. A Host not in the names known is checked again against a fresh read, at most one read per `rereadMs`.
 * Fixed names (a DeviceNames object) are never re-read.
 */
export function deviceHostCheck(source: DeviceNames | (() => DeviceNames), o: { rereadMs?: number; now?: () => number } = {}): (authority: string) => boolean {
  if (typeof source !== 'function') return (authority) => isDeviceHost(source, authority);
  const rereadMs = o.rereadMs ?? DEVICE_NAMES_REREAD_MS;
  const now = o.now ?? Date.now;
  let names = source();
  // the read at start-up does not count: the first foreign Host after it reads again
  let readAt = -Infinity;
  return (authority) => {
    if (isDeviceHost(names, authority)) return true;
    if (now() - readAt < rereadMs) return false;
    names = source();
    readAt = now();
    return isDeviceHost(names, authority);
  };
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a) || a === 'localhost';
}
