import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, SonoError } from '../../../src/errors.js';
import type { ModelPackage } from '../../../src/models/package.js';
import { activateVersion, rollbackModel } from '../../../src/models/updates/activation.js';
import { type ModelUpdatesConfig, ModelUpdatesSchema } from '../../../src/models/updates/config.js';
import type { InstallReport } from '../../../src/models/updates/installer.js';
import { ModelUpdateService } from '../../../src/models/updates/service.js';
import { ModelStore } from '../../../src/models/updates/store.js';
import type { TrialEngine } from '../../../src/models/updates/test-vectors.js';
import { tempDir } from '../../helpers/tmp.js';
import { type Signer, makeSigner, openCpu, signedPackage, storeIn, trustOf } from './fixtures.js';

/** A promise with its resolve, to hold an install at a chosen point and let it go. */
function gate<T = void>(): { promise: Promise<T>; open: (v: T) => void } {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof SonoError ? err.code : String(err);
  }
}

/**
 * One model update at a time in the daemon (README: SONO_MODEL_INSTALL_BUSY). The store's lock file held this
 * process's own pid, which lock() took for a stale lock and took over, so two installs in one daemon both got
 * it and the second's staging removed the first's files; rollback (manual and automatic) took no lock at all.
 */
describe('one model update at a time (install, activate, rollback)', () => {
  const root = tempDir('sonoedge-update-lock-');
  let signer: Signer;
  let v110: Buffer;
  let v120: Buffer;
  let v130: Buffer;
  const updates = Value.Default(ModelUpdatesSchema, {}) as ModelUpdatesConfig;

  /** A service on its own data dir; `open` can be held at a gate (the install is then inside its load step). */
  function serviceIn(name: string, hold?: { opening: () => void; until: Promise<void>; fail?: boolean }): { store: ModelStore; service: ModelUpdateService; logs: string[]; logged: (re: RegExp) => Promise<void> } {
    const store = storeIn(join(root, name));
    const logs: string[] = [];
    const waiters: Array<{ re: RegExp; done: () => void }> = [];
    const log = (msg: string): void => {
      logs.push(msg);
      for (const w of waiters.filter((x) => x.re.test(msg))) w.done();
    };
    const open = async (pkg: ModelPackage): Promise<TrialEngine> => {
      if (hold && pkg.manifest.version !== '1.1.0') {
        hold.opening();
        await hold.until;
        if (hold.fail) throw new Error('the test failed this load');
      }
      return openCpu(pkg);
    };
    const service = new ModelUpdateService({
      store, trust: () => trustOf(signer), updates: () => updates, open, bundledIds: () => ['fetal-head'],
      log: { warn: (_o, msg) => log(msg), info: (_o, msg) => log(msg) },
      audit: (e) => log(`audit ${e.action} ${e.outcome} by ${String(e.details.by)}`),
    });
    const logged = (re: RegExp): Promise<void> => (logs.some((m) => re.test(m)) ? Promise.resolve() : new Promise((done) => waiters.push({ re, done })));
    return { store, service, logs, logged };
  }

  beforeAll(async () => {
    signer = makeSigner(join(root, 'keys'));
    [v110, v120, v130] = await Promise.all([signedPackage(root, signer, '1.1.0'), signedPackage(root, signer, '1.2.0'), signedPackage(root, signer, '1.3.0')]);
  }, 60_000);

  it('two installs at once: one completes intact, the other is refused with SONO_MODEL_INSTALL_BUSY before the first ends', async () => {
    const { store, service } = serviceIn('two-installs');
    let firstDone = false;
    const first = service.install(v110, { by: 'tech-a' }).then((r) => ((firstDone = true), r));
    const second = service.install(v120, { by: 'tech-b' }).then((r) => ({ r, firstDoneThen: firstDone }));
    const { r: busy, firstDoneThen } = await second;
    expect(busy.ok).toBe(false);
    expect(busy.failed).toMatchObject({ code: ErrorCodes.MODEL_INSTALL_BUSY });
    expect(busy.failed!.message).toMatch(/Another model update \(the install of a package\) is running; wait for it to finish and try again/);
    expect(firstDoneThen).toBe(false); // refused at once, not after waiting for the first
    const ok: InstallReport = await first;
    expect(ok.failed).toBeUndefined();
    expect([ok.ok, ok.version, ok.activated]).toEqual([true, '1.1.0', true]);
    // the first's install is intact: it serves, every file verifies, no staging left, history has no refusal
    const active = store.resolveActive('fetal-head');
    expect([active.source, active.version]).toEqual(['installed', '1.1.0']);
    expect(() => store.verifyInstalled('fetal-head', '1.1.0')).not.toThrow();
    expect(store.installedVersions('fetal-head')).toEqual(['1.1.0']);
    expect(readdirSync(join(store.root, '.staging'))).toEqual([]);
    expect(existsSync(join(store.root, '.install.lock'))).toBe(false);
    expect(store.history('fetal-head').map((e) => `${e.event} ${e.version}`)).toEqual(['installed 1.1.0', 'activated 1.1.0']);
    // the lock is free again: the second package installs now
    expect((await service.install(v120, { by: 'tech-b' })).failed).toBeUndefined();
    expect(store.resolveActive('fetal-head').version).toBe('1.2.0');
  }, 60_000);

  it('a rollback (the daemon\'s, or the CLI\'s rollback and activate on the same folder) during an install is refused with SONO_MODEL_INSTALL_BUSY; the install completes', async () => {
    const opening = gate();
    const release = gate();
    const { store, service } = serviceIn('rollback-during-install', { opening: () => opening.open(), until: release.promise });
    expect((await service.install(v110, { by: 'tech-a' })).failed).toBeUndefined();
    const installing = service.install(v120, { by: 'tech-a' });
    await opening.promise; // the 1.2.0 install is in its load step, its files staged
    expect(await codeOf(service.rollback('fetal-head', 'tech-b'))).toBe(ErrorCodes.MODEL_INSTALL_BUSY);
    const cliStore = new ModelStore(join(root, 'rollback-during-install', 'data'), store.bundledDir); // another store object on the same folder
    expect(await codeOf(rollbackModel(cliStore, 'fetal-head', { by: 'cli', reason: 'by hand' }))).toBe(ErrorCodes.MODEL_INSTALL_BUSY);
    expect(await codeOf(activateVersion(cliStore, 'fetal-head', null, { by: 'cli', reason: 'by hand' }))).toBe(ErrorCodes.MODEL_INSTALL_BUSY);
    expect(store.readPointer('fetal-head')?.version).toBe('1.1.0'); // nothing moved the pointer meanwhile
    release.open();
    const r = await installing;
    expect(r.failed).toBeUndefined();
    expect(store.resolveActive('fetal-head').version).toBe('1.2.0');
    expect(store.history('fetal-head').filter((e) => e.event === 'rolled-back')).toEqual([]);
    // once the install has ended, the rollback runs
    expect(await service.rollback('fetal-head', 'tech-b')).toEqual({ from: '1.2.0', to: '1.1.0' });
    expect(store.resolveActive('fetal-head').version).toBe('1.1.0');
  }, 60_000);

  it('an install during a rollback is refused with SONO_MODEL_INSTALL_BUSY', async () => {
    const hold: { current?: { reached: () => void; until: Promise<void> } } = {};
    const store = storeIn(join(root, 'install-during-rollback'));
    const service = new ModelUpdateService({
      store, trust: () => trustOf(signer), updates: () => updates, open: openCpu, bundledIds: () => ['fetal-head'],
      swap: async (engine) => {
        await engine.release();
        if (hold.current) {
          hold.current.reached();
          await hold.current.until;
        }
      },
    });
    expect((await service.install(v110, { by: 'tech-a' })).failed).toBeUndefined();
    const swapping = gate();
    const release = gate();
    hold.current = { reached: () => swapping.open(), until: release.promise };
    const rolling = service.rollback('fetal-head', 'tech-b');
    await swapping.promise; // the rollback is swapping the bundled version in
    const r = await service.install(v130, { by: 'tech-a' });
    expect(r.failed).toMatchObject({ code: ErrorCodes.MODEL_INSTALL_BUSY });
    expect(r.failed!.message).toContain('a rollback of fetal-head');
    release.open();
    expect(await rolling).toEqual({ from: '1.1.0', to: '1.0.0 (bundled)' });
    expect(store.resolveActive('fetal-head')).toMatchObject({ source: 'bundled', version: '1.0.0' });
    expect(store.installedVersions('fetal-head')).toEqual(['1.1.0']);
  }, 60_000);

  it('the automatic rollback of a model failing its health window waits for an install in progress: none once a newer version serves, else it rolls back', async () => {
    for (const fail of [false, true]) {
      const opening = gate();
      const release = gate();
      const hold = { opening: () => opening.open(), until: release.promise, fail };
      const { store, service, logged } = serviceIn(`auto-rollback-${fail ? 'install-fails' : 'install-ok'}`, hold);
      expect((await service.install(v110, { by: 'tech-a' })).failed).toBeUndefined(); // 1.1.0 serves, under watch
      const installing = service.install(v120, { by: 'tech-a' });
      await opening.promise;
      // 1.1.0 fails its window while 1.2.0 is being installed
      for (let i = 0; i < 20 && service.health('fetal-head')?.state !== 'failed'; i++) service.record('fetal-head', '1.1.0', { error: true, latencyMs: 1, sane: false });
      expect(service.health('fetal-head')).toMatchObject({ state: 'failed', version: '1.1.0' });
      expect(store.readPointer('fetal-head')?.version).toBe('1.1.0'); // not rolled back under the install
      release.open();
      const r = await installing;
      if (!fail) {
        expect(r.failed).toBeUndefined();
        await logged(/no longer serves; no automatic rollback/);
        expect(store.resolveActive('fetal-head').version).toBe('1.2.0');
        expect(store.history('fetal-head').filter((e) => e.event === 'rolled-back')).toEqual([]);
      } else {
        expect(r.failed).toMatchObject({ code: ErrorCodes.MODEL_LOAD_FAILED });
        await logged(/^audit model.rollback ok by health-window$/);
        expect(store.resolveActive('fetal-head')).toMatchObject({ source: 'bundled', version: '1.0.0' });
        expect(store.history('fetal-head').at(-1)).toMatchObject({ event: 'rolled-back', by: 'health-window', version: null });
      }
    }
  }, 60_000);
});

describe('the lock file and staging leftovers of other processes', () => {
  const root = tempDir('sonoedge-lock-file-');
  const deadPid = (): number => {
    const p = spawnSync(process.execPath, ['-e', '']);
    return p.pid!;
  };

  it('a lock file of a live process is respected (busy), one of a dead process or of this process (not holding it: an earlier process with its pid) is taken over', () => {
    const store = new ModelStore(join(root, 'data'), join(root, 'bundled'));
    const path = join(store.root, '.install.lock');
    mkdirSync(store.root, { recursive: true });
    writeFileSync(path, String(process.ppid)); // a live process (the test runner's parent)
    let caught: unknown;
    try {
      store.lock();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SonoError);
    expect((caught as SonoError).code).toBe(ErrorCodes.MODEL_INSTALL_BUSY);
    expect(readFileSync(path, 'utf8')).toBe(String(process.ppid));
    for (const stale of [deadPid(), process.pid]) {
      writeFileSync(path, String(stale));
      const unlock = store.lock();
      expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
      expect(store.lockedHere()).toBe(true);
      unlock();
      unlock(); // idempotent
      expect(existsSync(path)).toBe(false);
      expect(store.lockedHere()).toBe(false);
    }
  });

  it('a new staging folder removes leftovers of dead processes and of this process, never a live install\'s folder', () => {
    const store = new ModelStore(join(root, 'data2'), join(root, 'bundled'));
    const staging = join(store.root, '.staging');
    const dead = join(staging, `${deadPid()}-aaaaaaaaaaaa`);
    const live = join(staging, `${process.ppid}-bbbbbbbbbbbb`);
    const mineLeft = join(staging, `${process.pid}-cccccccccccc`);
    const legacy = join(staging, 'dddddddddddd');
    for (const d of [dead, live, mineLeft, legacy]) mkdirSync(d, { recursive: true });
    const first = store.newStaging();
    expect(readdirSync(staging).sort()).toEqual([first.split('/').at(-1), live.split('/').at(-1)].sort());
    const second = store.newStaging(); // this process's live one is kept too
    expect(existsSync(first) && existsSync(second) && existsSync(live)).toBe(true);
    store.dropStaging(first);
    store.dropStaging(second);
    expect(readdirSync(staging)).toEqual([live.split('/').at(-1)]);
  });
});
