/** What identifies a source's device or input (src/capture/source-identity.ts), against the drivers' own settings schemas. */
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { IgtlSettings } from '../../drivers/igtl/igtl.js';
import { V4l2Settings } from '../../drivers/v4l2/v4l2.js';
import { UsbBulkSettings } from '../../drivers/usb/usb-bulk.js';
import { identityOf } from '../../src/capture/source-identity.js';

const key = (driver: string, settings: Record<string, unknown>, base = '/etc/sonoedge'): string => identityOf(driver, settings, base).key;

describe('source identity', () => {
  it("uses the drivers' defaults: omitted settings and the schema's defaults are the same device", () => {
    const igtl = Value.Default(IgtlSettings, {}) as Record<string, unknown>;
    expect(key('igtl', {})).toBe(key('igtl', igtl));
    expect(key('igtl', {})).toBe('igtl@127.0.0.1:18944/*');
    const v4l2 = Value.Default(V4l2Settings, {}) as Record<string, unknown>;
    expect(key('v4l2', {})).toBe(key('v4l2', v4l2));
    const usb = Value.Default(UsbBulkSettings, { vendorId: 0x1234, productId: 0xabcd, width: 64, height: 64 }) as Record<string, unknown>;
    expect(key('usb', { vendorId: 0x1234, productId: 0xabcd })).toBe(key('usb', usb));
  });

  it('tells devices apart by what names them, not by how they are read', () => {
    expect(key('igtl', { host: '10.0.0.2', port: 18944 })).not.toBe(key('igtl', { host: '10.0.0.3', port: 18944 }));
    expect(key('igtl', { port: 18944 })).not.toBe(key('igtl', { port: 18945 }));
    expect(key('igtl', { device: 'Probe_A' })).not.toBe(key('igtl', { device: 'Probe_B' }));
    expect(key('igtl', { port: 18944, reconnectMaxMs: 5000 })).toBe(key('igtl', { port: 18944 }));
    expect(key('dicom', { path: 'case1' })).toBe('dicom@/etc/sonoedge/case1');
    expect(key('dicom', { path: '/etc/sonoedge/case1/', fps: 10 })).toBe(key('dicom', { path: 'case1', loop: false }));
    expect(key('replay', { path: '/a' })).not.toBe(key('replay', { path: '/b' }));
    expect(key('v4l2', { device: '/dev/video0', crop: { x: 0, y: 0, width: 640, height: 480 } })).not.toBe(key('v4l2', { device: '/dev/video0' }));
    expect(key('v4l2', { device: '/dev/video0', fps: 15 })).not.toBe(key('v4l2', { device: '/dev/video1', fps: 15 }));
    // a driver without its own rule: every setting counts, in any order
    expect(key('other', { a: 1, b: { c: 2 } })).toBe(key('other', { b: { c: 2 }, a: 1 }));
    expect(key('other', { a: 1 })).not.toBe(key('other', { a: 2 }));
  });
});
