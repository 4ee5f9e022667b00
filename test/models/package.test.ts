import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findModelPackage, readModelPackage, readVerifiedModelFile } from '../../src/models/package.js';
import { copyShippedModels, tempDir } from '../helpers/tmp.js';

describe('model packages', () => {
  it('the shipped fetal-head package validates and its files match their SHA-256', () => {
    const models = copyShippedModels(tempDir());
    const pkg = findModelPackage(models, 'fetal-head');
    expect(pkg.manifest.files.map((f) => f.precision).sort()).toEqual(['fp32', 'int8-qdq-s8', 'int8-qdq-u8']);
    for (const f of pkg.manifest.files) expect(readVerifiedModelFile(pkg, f).length).toBeGreaterThan(1000);
  });

  it('an unknown model id names the available ones', () => {
    const models = copyShippedModels(tempDir());
    expect(() => findModelPackage(models, 'lung')).toThrow(/Model "lung" not found .*available: fetal-head/);
  });

  it('a corrupt or missing model file gives a clear error naming it', () => {
    const models = copyShippedModels(tempDir());
    const pkg = findModelPackage(models, 'fetal-head');
    const f = pkg.manifest.files[0]!;
    const path = join(pkg.dir, f.path);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length >> 1));
    expect(() => readVerifiedModelFile(pkg, f)).toThrow(new RegExp(`${f.path} is corrupt: SHA-256`));
    writeFileSync(join(pkg.dir, 'manifest.json'), JSON.stringify({ ...pkg.manifest, files: [{ ...f, path: 'gone.onnx' }] }));
    const pkg2 = readModelPackage(pkg.dir);
    expect(() => readVerifiedModelFile(pkg2, pkg2.manifest.files[0]!)).toThrow(/gone\.onnx .* cannot be read/);
  });

  it('refuses an apiVersion it cannot run, an invalid manifest, and an id that is not its folder', () => {
    const models = copyShippedModels(tempDir());
    const dir = join(models, 'fetal-head');
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, apiVersion: 99 }));
    expect(() => readModelPackage(dir)).toThrow(/apiVersion 99; this runtime runs apiVersion 1/);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, input: { ...m.input, layout: 'NHWC' } }));
    expect(() => readModelPackage(dir)).toThrow(/\/input\/layout/);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, id: 'other' }));
    expect(() => readModelPackage(dir)).toThrow(/id "other" but lives in folder "fetal-head"/);
  });
});
