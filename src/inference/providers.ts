import type { InferenceSession } from 'onnxruntime-node';
import type { ProviderName } from '../config/schema.js';
import type { Manifest, ModelFile, Precision } from '../models/manifest.js';

export interface ProviderSettings {
  deviceId: number;
  tensorrt: { engineCacheDir?: string | undefined; fp16: boolean; int8: boolean };
}

/** onnxruntime-node's provider option object; TensorRT's knobs go through its environment variables. */
export function executionProvider(name: ProviderName, s: ProviderSettings): InferenceSession.ExecutionProviderConfig {
  if (name === 'cpu') return 'cpu';
  return { name, deviceId: s.deviceId } as InferenceSession.ExecutionProviderConfig;
}

/**
 * onnxruntime-node's TensorRT option object only has deviceId; the engine cache and precision flags are
 * read by the provider from ORT_TENSORRT_* variables when the session is created.
 */
export function applyTensorRtEnvironment(s: ProviderSettings['tensorrt'], env: NodeJS.ProcessEnv = process.env): void {
  env.ORT_TENSORRT_FP16_ENABLE = s.fp16 ? '1' : '0';
  env.ORT_TENSORRT_INT8_ENABLE = s.int8 ? '1' : '0';
  if (s.engineCacheDir) {
    env.ORT_TENSORRT_ENGINE_CACHE_ENABLE = '1';
    env.ORT_TENSORRT_CACHE_PATH = s.engineCacheDir;
  }
}

const PRECISION_ORDER: Record<'int8' | 'fp32', Record<ProviderName, Precision[]>> = {
  int8: { cpu: ['int8-qdq-u8', 'fp32'], cuda: ['fp32'], tensorrt: ['int8-qdq-s8', 'fp32'] },
  fp32: { cpu: ['fp32'], cuda: ['fp32'], tensorrt: ['fp32'] },
};

/** The package file to run on `provider`: int8 where the provider runs it fast, else fp32. */
export function chooseModelFile(manifest: Manifest, provider: ProviderName, precision: 'int8' | 'fp32'): ModelFile | undefined {
  for (const p of PRECISION_ORDER[precision][provider]) {
    const f = manifest.files.find((file) => file.precision === p && file.providers.includes(provider));
    if (f) return f;
  }
  return undefined;
}
