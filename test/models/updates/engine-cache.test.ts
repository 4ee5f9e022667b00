import { describe, expect, it } from 'vitest';
import { applyTensorRtEnvironment } from '../../../src/inference/providers.js';
import { engineCacheDirFor } from '../../../src/models/updates/engine-cache.js';

const A = 'a'.repeat(64);
const B = `${'a'.repeat(63)}b`;

describe('TensorRT engine cache across a model change', () => {
  it('is keyed by the model file SHA-256: a changed model gets a fresh folder, the same model its old one', () => {
    expect(engineCacheDirFor('/var/cache/sonoedge/trt', { sha256: A })).toBe(`/var/cache/sonoedge/trt/${A}`);
    expect(engineCacheDirFor('/var/cache/sonoedge/trt', { sha256: B })).not.toBe(engineCacheDirFor('/var/cache/sonoedge/trt', { sha256: A }));
    expect(() => engineCacheDirFor('/c', { sha256: '../../etc' })).toThrow(/is not 64 hex digits/);
  });

  it('the folder reaches onnxruntime through ORT_TENSORRT_CACHE_PATH', () => {
    const env: NodeJS.ProcessEnv = {};
    applyTensorRtEnvironment({ engineCacheDir: engineCacheDirFor('/c', { sha256: B }), fp16: true, int8: false }, env);
    expect(env).toMatchObject({ ORT_TENSORRT_ENGINE_CACHE_ENABLE: '1', ORT_TENSORRT_CACHE_PATH: `/c/${B}` });
  });
});
