import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/tmp.js';

describe('config', () => {
  const dir = tempDir();

  it('zero config is the demo: simulated probe, fetal-head on every frame, TensorRT → CUDA → CPU', () => {
    const { config } = loadConfig(undefined, { env: {} });
    expect(config.source.driver).toBe('simulated');
    expect(config.models).toEqual([{ id: 'fetal-head', everyN: 1 }, { id: 'enhance', everyN: 1 }]);
    expect(config.inference.providers).toEqual(['tensorrt', 'cuda', 'cpu']);
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8080, allowInsecureHttp: false });
  });

  it('a file holds only the keys it changes; the rest keep their defaults', () => {
    const f = join(dir, 'partial.yaml');
    writeFileSync(f, 'server:\n  port: 9000\ninference:\n  precision: fp32\n');
    const { config } = loadConfig(f, { env: {} });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 9000 });
    expect(config.inference.precision).toBe('fp32');
    expect(config.inference.providers).toEqual(['tensorrt', 'cuda', 'cpu']);
  });

  it('reports every bad key with its path', () => {
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ server: { port: 'eighty', hots: 'x' }, inference: { providers: ['cpu', 'gpu'] }, colour: 1 }));
    let message = '';
    try {
      loadConfig(f, { env: {} });
    } catch (err) {
      message = (err as Error).message;
      expect((err as { code: string }).code).toBe('SONO_CONFIG_INVALID');
    }
    expect(message).toContain('/server/port');
    expect(message).toContain('/server/hots');
    expect(message).toContain('/inference/providers/1');
    expect(message).toMatch(/\/colour|^\s+\/:/m);
  });

  it('says which file is unreadable or malformed', () => {
    expect(() => loadConfig(join(dir, 'missing.yaml'), { env: {} })).toThrow(/Cannot read config file .*missing\.yaml/);
    const f = join(dir, 'broken.json');
    writeFileSync(f, '{ "server": ');
    expect(() => loadConfig(f, { env: {} })).toThrow(/broken\.json is not valid JSON/);
  });

  it('environment overrides the file, command line overrides the environment', () => {
    const f = join(dir, 'env.json');
    writeFileSync(f, JSON.stringify({ server: { port: 9001 } }));
    const env = { SONOEDGE_PORT: '9002', SONOEDGE_PROVIDERS: 'cuda, cpu' };
    expect(loadConfig(f, { env }).config.server.port).toBe(9002);
    expect(loadConfig(f, { env }).config.inference.providers).toEqual(['cuda', 'cpu']);
    expect(loadConfig(f, { env, overrides: [[['server', 'port'], 9003]] }).config.server.port).toBe(9003);
    expect(() => loadConfig(undefined, { env: { SONOEDGE_PORT: 'abc' } })).toThrow(/\/server\/port/);
  });
});
