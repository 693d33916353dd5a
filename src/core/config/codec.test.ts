import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decode, encode, isValidValue } from './codec';
import { DEFAULT_CONFIG, PARAMS, PRESETS, presetConfig, type Config, type ConfigKey } from './params';

function validValue(key: ConfigKey): fc.Arbitrary<unknown> {
  const param = PARAMS.find((p) => p.key === key)!;
  if (param.kind === 'choice') return fc.constantFrom(...param.choices);
  return param.integer
    ? fc.integer({ min: param.min, max: param.max })
    : fc.double({ min: param.min, max: param.max, noNaN: true, noDefaultInfinity: true });
}

const validConfig: fc.Arbitrary<Config> = fc.record(
  Object.fromEntries(PARAMS.map((p) => [p.key, validValue(p.key)])) as Record<ConfigKey, fc.Arbitrary<never>>,
) as unknown as fc.Arbitrary<Config>;

describe('decode', () => {
  it('gives the book defaults for an empty link', () => {
    expect(decode('')).toEqual({ config: DEFAULT_CONFIG, problems: [] });
    expect(DEFAULT_CONFIG).toMatchObject({
      preset: 'd2l', lr: 0.9, batch: 256, epochs: 10, optimizer: 'sgd', init: 'xavier',
      activation: 'sigmoid', pool: 'avg', train: 60000, test: 10000, backend: 'auto',
    });
  });

  it('reads every key, with or without the leading ?', () => {
    const { config, problems } = decode(
      '?preset=djl&lr=0.05&batch=64&epochs=3&optimizer=adam&init=he&activation=relu&pool=max&seed=7&train=512&test=256&backend=wasm',
    );
    expect(problems).toEqual([]);
    expect(config).toEqual({
      preset: 'djl', lr: 0.05, batch: 64, epochs: 3, optimizer: 'adam', init: 'he', activation: 'relu',
      pool: 'max', seed: 7, train: 512, test: 256, backend: 'wasm',
    });
  });

  it('applies other keys on top of the preset', () => {
    const { config } = decode('preset=modern&epochs=2');
    expect(config).toEqual({ ...presetConfig('modern'), epochs: 2 });
  });

  it('clamps out-of-range numbers and says so', () => {
    const { config, problems } = decode('epochs=-5&train=999999&lr=1e-400');
    expect(config.epochs).toBe(1);
    expect(config.train).toBe(60000);
    expect(config.lr).toBe(1e-6);
    expect(problems.map((p) => p.key)).toEqual(['lr', 'epochs', 'train']);
    expect(problems[1].message).toContain('outside 1–100');
  });

  it('replaces garbage with the default and names the key', () => {
    const garbage = ['NaN', '1e999', '', '<script>alert(1)</script>', 'x'.repeat(10_000), '0x10', 'Infinity', '1,5'];
    for (const value of garbage) {
      const { config, problems } = decode(`lr=${encodeURIComponent(value)}`);
      expect(config.lr, value).toBe(0.9);
      expect(problems, value).toHaveLength(1);
      expect(problems[0].key).toBe('lr');
      expect(problems[0].message.length).toBeLessThan(120);
    }
    const { config, problems } = decode('optimizer=rmsprop&backend=%3Cimg%3E');
    expect(config.optimizer).toBe('sgd');
    expect(config.backend).toBe('auto');
    expect(problems.map((p) => p.key)).toEqual(['optimizer', 'backend']);
  });

  it('rounds fractional integers and canonicalises -0', () => {
    const { config, problems } = decode('epochs=2.6&seed=-0');
    expect(config.epochs).toBe(3);
    expect(Object.is(config.seed, 0)).toBe(true);
    expect(problems.map((p) => p.key)).toEqual(['epochs']);
  });

  it('reports unknown and repeated keys once each', () => {
    const { config, problems } = decode('foo=1&foo=2&epochs=3&epochs=4');
    expect(config.epochs).toBe(3);
    expect(problems).toEqual([
      { key: 'epochs', message: 'appears 2 times; using the first' },
      { key: 'foo', message: 'is not a setting of this playground; ignored' },
    ]);
  });

  it('never throws and always returns a valid config (random input)', () => {
    const keys = [...PARAMS.map((p) => p.key), 'foo', '', '%', '__proto__', 'constructor'];
    const value = fc.oneof(
      fc.string(), fc.string({ unit: 'binary' }), fc.double().map(String), fc.integer().map(String),
      fc.constantFrom('0x10', '1e-400', '-0', 'Infinity', '-Infinity', '%zz', '%E0%A4%A', '1e999', '+.5'),
    );
    const soup = fc.array(fc.tuple(fc.constantFrom(...keys), value), { maxLength: 30 })
      .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), soup), (query) => {
        const { config, problems } = decode(query);
        for (const param of PARAMS) expect(isValidValue(param.key, config[param.key])).toBe(true);
        const seen = problems.map((p) => `${p.key}: ${p.message}`);
        expect(new Set(seen).size).toBe(seen.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('copes with a 100 kB link of unknown keys without a flood of notices', () => {
    const query = Array.from({ length: 10_000 }, (_, i) => `key${i}=value`).join('&');
    expect(query.length).toBeGreaterThan(90_000);
    const { config, problems } = decode(query);
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(problems.length).toBeLessThanOrEqual(6);
    expect(problems.at(-1)!.message).toContain('9995 more unknown keys');
  });
});

describe('encode', () => {
  it('writes nothing for the defaults and only differences otherwise, in a stable order', () => {
    expect(encode(DEFAULT_CONFIG)).toBe('');
    expect(encode({ ...DEFAULT_CONFIG, epochs: 2, lr: 0.1 })).toBe('lr=0.1&epochs=2');
    expect(encode({ ...presetConfig('modern'), train: 512 })).toBe('preset=modern&train=512');
  });

  it('round-trips any valid config', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        expect(decode(encode(config))).toEqual({ config, problems: [] });
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every preset unchanged', () => {
    for (const preset of PRESETS) expect(decode(encode(presetConfig(preset))).config).toEqual(presetConfig(preset));
  });
});
