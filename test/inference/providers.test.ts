import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { openSessions } from '../../src/app/sessions.js';
import { openModelSession } from '../../src/inference/session.js';
import { findModelPackage } from '../../src/models/package.js';
import { copyShippedModels, tempDir } from '../helpers/tmp.js';

const silent = pino({ level: 'silent' });

describe('execution providers', () => {
  const models = copyShippedModels(tempDir());
  const base = { precision: 'int8' as const, intraOpThreads: 2, allowSpinning: false, deviceId: 0, tensorrt: { fp16: true, int8: false }, warmupRuns: 1 };

  it('falls back from TensorRT and CUDA to the CPU on this machine, and reports every attempt', async () => {
    const s = await openModelSession(findModelPackage(models, 'fetal-head'), { ...base, providers: ['tensorrt', 'cuda', 'cpu'] });
    try {
      expect(s.provider).toBe('cpu');
      expect(s.file.precision).toBe('int8-qdq-u8');
      expect(s.attempts.map((a) => [a.provider, a.ok])).toEqual([['tensorrt', false], ['cuda', false], ['cpu', true]]);
      expect(s.attempts[0]!.reason).toMatch(/TensorRT|shared library/i);
      const out = await s.run();
      expect(out.prob!.dims).toEqual([1, 1, 224, 320]);
    } finally {
      await s.release();
    }
  });

  it('runs the fp32 file when precision is fp32', async () => {
    const s = await openModelSession(findModelPackage(models, 'fetal-head'), { ...base, precision: 'fp32', providers: ['cpu'] });
    expect(s.file.precision).toBe('fp32');
    await s.release();
  });

  it('fails with every reason when no provider works', async () => {
    await expect(openModelSession(findModelPackage(models, 'fetal-head'), { ...base, providers: ['tensorrt', 'cuda'] }))
      .rejects.toThrow(/No execution provider could run "fetal-head": tensorrt: .*; cuda: /);
  });

  it('requireAccelerator refuses to start on the CPU with a clear message', async () => {
    const loaded = loadConfig(undefined, { env: {}, overrides: [[['modelsDir'], models], [['inference', 'requireAccelerator'], true], [['inference', 'warmupRuns'], 0]] });
    await expect(openSessions(loaded, silent)).rejects.toThrow(/requireAccelerator is true but model "fetal-head" could only run on the CPU/);
  });
});
