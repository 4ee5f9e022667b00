/**
 * Sign-in to the live view over HTTPS with the device's self-signed certificate (server.tls: "self-signed"),
 * in a real Chromium that accepts the certificate as a tablet paired once would: the certificate served has
 * the fingerprint the daemon reports for pairing, the session cookie is __Host- and Secure, and the live
 * view's WebSocket (wss) delivers frames. The fingerprints a technician compares when pairing a tablet are the
 * same on the System page and in `sonoedge doctor`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, launchChromium, signInByTouch, waitSignedIn } from './sign-in-ui.js';
import { ensureTestBuild, testUi } from './test-build.js';

beforeAll(() => ensureTestBuild(), 120_000);

/** The SHA-256 fingerprint of the certificate the server at `url` presents. */
function servedFingerprint(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port), servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe.skipIf(!haveChromium)('sign-in over HTTPS (self-signed) in Chromium', () => {
  let d: TestDaemon;
  let browser: Browser;

  beforeAll(async () => {
    d = await startTestDaemon(tempDir(), {}, [[['server', 'tls'], 'self-signed']], testUi);
    await d.runtime.access.services.users.add('Alice', 'clinician', '482913');
    await d.runtime.access.services.users.add('Theo', 'technician', 'technician-pass-1');
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  it('the certificate is the one the daemon reports, and a clinician signs in to the live view', async () => {
    expect(d.url).toMatch(/^https:/);
    const reported = d.runtime.tlsFingerprints?.certificate;
    expect(reported).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(await servedFingerprint(d.url)).toBe(reported);

    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 }, hasTouch: true });
    const page = await context.newPage();
    await page.goto(d.url + '/');
    expect(await page.evaluate(() => location.protocol)).toBe('https:');
    await signInByTouch(page, 'Alice', '482913');
    await waitSignedIn(page, 'Alice');
    await page.waitForFunction(() => document.getElementById('conn')?.classList.contains('live'));
    await page.waitForFunction(() => {
      const c = document.getElementById('frame') as HTMLCanvasElement;
      return c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 !== 3 && v > 0);
    });
    const cookies = await context.cookies(d.url);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]!.name.startsWith('__Host-')).toBe(true);
    expect(cookies[0]!).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
  });

  it('a technician finds the same fingerprints on the System page and in `sonoedge doctor`, to pair a tablet', async () => {
    const reported = d.runtime.tlsFingerprints!;
    expect(reported.ca).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 }, hasTouch: true });
    const page = await context.newPage();
    await page.goto(d.url + '/');
    await signInByTouch(page, 'Theo', 'technician-pass-1');
    await waitSignedIn(page, 'Theo');
    await page.tap('#tabs .tab[data-view="system"]');
    await page.waitForFunction((fp) => document.getElementById('system-info')?.textContent?.includes(fp) === true, reported.certificate!);
    expect(await page.textContent('#system-info')).toContain(reported.ca!);
    await context.close();
    const config = join(d.runtime.dataDir, '..', 'doctor.yaml');
    writeFileSync(config, `dataDir: ${d.runtime.dataDir}\nmodels: []\nserver: { host: 127.0.0.1, tls: self-signed }\n`);
    const doctor = runCli(['doctor', '--config', config]);
    expect(doctor.stdout + doctor.stderr).toContain(`https: certificate SHA-256 ${reported.certificate!}; device CA SHA-256 ${reported.ca!} (trust this CA on tablets)`);
  });
});
