import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decode, encode, isValidValue } from './codec';
import { DEFAULT_CONFIG, PARAMS, PRESETS, presetConfig, type Config, type ConfigKey } from './params';
import { formatArch, parseArch, type Architecture } from './arch';
import { validArch } from './arch.testing';

/** A value as a link writes it. */
const written = (value: Config[ConfigKey]) => (typeof value === 'object' ? formatArch(value) : String(value));

function validValue(key: ConfigKey): fc.Arbitrary<unknown> {
  const param = PARAMS.find((p) => p.key === key)!;
  if (param.kind === 'layers') return validArch;
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
      '?preset=djl&lr=0.05&batch=64&epochs=3&optimizer=adam&init=he&activation=relu&pool=max&seed=7&train=512&test=256&backend=wasm&kernels=tfjs',
    );
    expect(problems).toEqual([]);
    expect(config).toEqual({
      preset: 'djl', dataset: 'fashion', arch: presetConfig('djl').arch, lr: 0.05, batch: 64, epochs: 3, optimizer: 'adam', init: 'he', activation: 'relu',
      pool: 'max', seed: 7, train: 512, test: 256, backend: 'wasm', kernels: 'tfjs',
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

describe('decode under hostile input', () => {
  const CONFIG_KEYS = PARAMS.map((p) => p.key);
  const NUMBER_KEYS = PARAMS.filter((p) => p.kind === 'number').map((p) => p.key);
  /** Anything decode may put in a notice is printable: no controls, bidi overrides, lone surrogates. */
  const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
  const TRICKY_VALUES = [
    '0x10', '0X1F', '0b1', '0o7', '1e-400', '-1e-400', '-0', '+0', 'Infinity', '-Infinity', 'NaN', '1e999', '-1e999',
    '', ' ', '.', '-', '+', 'e5', '1e', '1_000', '1,5', '٣', '５', '1\u200b', '\u202e5', '9'.repeat(400),
    '9007199254740993', '2147483648', '0.1e1', ' 7 ', '7.', '.5', '00012', '%', '%zz', '%25', '%00', '%E0%A4%A',
    '%ED%A0%80', '%F0%9F%98', '<b>x</b>', '"', "'", '\\', '__proto__', 'constructor', 'toString',
  ];
  const TRICKY_KEYS = [
    ...CONFIG_KEYS, 'LR', 'Lr', ' lr', 'lr ', 'lr\u200b', '\uff4c\uff52', 'lr%00', '', '%', '__proto__', 'constructor',
    'prototype', 'hasOwnProperty', 'toString', '<img src=x onerror=alert(1)>', '\u202eevil', 'a'.repeat(200),
  ];
  const rawText = fc.oneof(
    fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }),
    fc.constantFrom(...TRICKY_VALUES), fc.double().map(String), fc.integer().map(String),
  );
  /** Escapes a key or value the way a browser would, or mangles it on purpose. */
  const escaped = (text: string) => fc.constantFrom(
    encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '\uFFFD')),
    text, // raw: & = + % and all
    Array.from(new TextEncoder().encode(text), (b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
    encodeURIComponent(encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '\uFFFD'))), // double-encoded
  );
  const pair = fc.tuple(fc.oneof(fc.constantFrom(...TRICKY_KEYS), fc.string()), rawText)
    .chain(([key, value]) => fc.tuple(escaped(key), escaped(value)))
    .map(([key, value]) => `${key}=${value}`);
  const separator = fc.constantFrom('&', '&&', '&=&', ';', '&amp;', '#', '?');
  const soup = fc.tuple(fc.array(pair, { maxLength: 40 }), separator)
    .map(([pairs, sep]) => pairs.join(sep));
  const query = fc.tuple(fc.constantFrom('', '?', '??', '&', '?&'), fc.oneof(soup, fc.string({ unit: 'binary' })))
    .map(([lead, rest]) => lead + rest);

  function checkDecoded(q: string) {
    const decoded = decode(q);
    const { config, problems } = decoded;
    // Always a complete, valid, plain config.
    expect(Object.keys(config).sort()).toEqual([...CONFIG_KEYS].sort());
    expect(Object.getPrototypeOf(config)).toBe(Object.prototype);
    for (const key of CONFIG_KEYS) expect(isValidValue(key, config[key]), `${key} from ${JSON.stringify(q)}`).toBe(true);
    // Each problem once, short and printable.
    const lines = problems.map((p) => `${p.key}: ${p.message}`);
    expect(new Set(lines).size).toBe(lines.length);
    for (const p of problems) {
      expect(p.key).not.toBe('');
      expect(UNPRINTABLE.test(p.key) || UNPRINTABLE.test(p.message), JSON.stringify(p)).toBe(false);
      expect(Array.from(p.key).length).toBeLessThanOrEqual(25);
      expect(p.message.length).toBeLessThan(200);
    }
    for (const key of CONFIG_KEYS) {
      const about = problems.filter((p) => p.key === key);
      expect(about.filter((p) => p.message.startsWith('appears ')).length).toBeLessThanOrEqual(1);
      expect(about.filter((p) => !p.message.startsWith('appears ')).length).toBeLessThanOrEqual(1);
    }
    // Nothing changes silently: a key without a problem holds exactly what the link said
    // (or the preset's value when the link does not have it).
    const params = new URLSearchParams(q.replace(/^\?/, ''));
    const base = presetConfig(config.preset);
    for (const param of PARAMS) {
      if (problems.some((p) => p.key === param.key)) continue;
      const raw = params.get(param.key);
      if (raw === null) {
        if (param.key !== 'preset') expect(config[param.key], param.key).toEqual(base[param.key]);
        continue;
      }
      if (param.kind === 'layers') expect(formatArch(config.arch)).toBe(formatArch(parseArch(raw).arch as Architecture));
      else if (param.kind === 'number') expect(config[param.key], `${param.key}=${raw}`).toBe(Number(raw.trim()) || 0);
      else expect(config[param.key], `${param.key}=${raw}`).toBe(raw.trim().toLowerCase());
    }
    // No prototype pollution, and the same answer every time.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(decode(q)).toEqual(decoded);
    return decoded;
  }

  it('never throws, always returns a valid config and reports each problem once (random key/value soup)', () => {
    fc.assert(fc.property(query, (q) => {
      checkDecoded(q);
    }), { numRuns: 3000 });
  });

  it('treats every tricky number in every number key as a number, a fallback or a clamp, never silently', () => {
    let cases = 0;
    for (const key of NUMBER_KEYS) {
      for (const value of TRICKY_VALUES) {
        for (const q of [`${key}=${encodeURIComponent(value)}`, `${key}=${value}`]) {
          const { config, problems } = checkDecoded(q);
          expect(problems.length, q).toBeLessThanOrEqual(1);
          cases++;
          void config;
        }
      }
    }
    expect(cases).toBe(NUMBER_KEYS.length * TRICKY_VALUES.length * 2);
  });

  it('reads the numbers the issue names the way a person would expect', () => {
    const one = (q: string) => {
      const { config, problems } = checkDecoded(q);
      return { config, keys: problems.map((p) => p.key), messages: problems.map((p) => p.message).join(' | ') };
    };
    expect(one('lr=0x10')).toMatchObject({ config: { lr: 0.9 }, keys: ['lr'] });
    expect(one('seed=0x10')).toMatchObject({ config: { seed: 1 }, keys: ['seed'] });
    expect(one('lr=1e-400')).toMatchObject({ config: { lr: 1e-6 }, keys: ['lr'] });
    // 1e-400 is 0 in floating point, but not a whole number: said, not silently 0.
    const tiny = one('seed=1e-400');
    expect(tiny).toMatchObject({ config: { seed: 0 }, keys: ['seed'] });
    expect(tiny.messages).toContain('not a whole number');
    expect(one('seed=-0')).toMatchObject({ config: { seed: 0 }, keys: [] });
    expect(Object.is(one('seed=-0').config.seed, 0)).toBe(true);
    expect(one('lr=-0')).toMatchObject({ config: { lr: 1e-6 }, keys: ['lr'] });
    for (const infinite of ['Infinity', '-Infinity', '1e999', '-1e999', 'NaN']) {
      expect(one(`epochs=${infinite}`), infinite).toMatchObject({ config: { epochs: 10 }, keys: ['epochs'] });
    }
    expect(one('epochs=%207%20')).toMatchObject({ config: { epochs: 7 }, keys: [] });
    expect(one('epochs=+7')).toMatchObject({ config: { epochs: 7 }, keys: [] });
    expect(one('epochs=7e0')).toMatchObject({ config: { epochs: 7 }, keys: [] });
    expect(one('epochs=%EF%BC%95')).toMatchObject({ config: { epochs: 10 }, keys: ['epochs'] }); // full-width 5
  });

  it('uses the first of duplicated keys and says once how many times each appeared', () => {
    fc.assert(fc.property(validConfig, fc.array(fc.tuple(fc.constantFrom(...CONFIG_KEYS), rawText), { minLength: 1, maxLength: 30 }),
      (config, extra) => {
        const full = new URLSearchParams();
        for (const param of PARAMS) full.set(param.key, written(config[param.key]));
        for (const [key, value] of extra) full.append(key, value);
        const decoded = checkDecoded(full.toString());
        expect(decoded.config).toEqual(config);
        for (const key of CONFIG_KEYS) {
          const times = full.getAll(key).length;
          const said = decoded.problems.filter((p) => p.key === key);
          expect(said, key).toEqual(times > 1 ? [{ key, message: `appears ${times} times; using the first` }] : []);
        }
      }), { numRuns: 500 });
  });

  it('reads a link however it is percent-encoded', () => {
    fc.assert(fc.property(validConfig, fc.boolean(), (config, upper) => {
      const link = encode(config);
      const everyByte = Array.from(new TextEncoder().encode(link), (b) => {
        const ch = String.fromCharCode(b);
        if (ch === '&' || ch === '=') return ch;
        const hex = b.toString(16).padStart(2, '0');
        return `%${upper ? hex.toUpperCase() : hex}`;
      }).join('');
      expect(decode(everyByte)).toEqual({ config, problems: [] });
      expect(decode(`?${link}&`)).toEqual({ config, problems: [] });
    }), { numRuns: 300 });
    // Double-encoded values are not decoded twice.
    expect(decode('epochs=%25337').config.epochs).toBe(10);
    expect(decode('lr=0.5+').config.lr).toBe(0.5); // + is a space, and spaces around numbers are fine
  });

  it('does not let unknown keys change anything, and names lookalike keys plainly', () => {
    fc.assert(fc.property(validConfig, fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.string()), { maxLength: 20 }),
      (config, junk) => {
        const params = new URLSearchParams(encode(config));
        for (const [key, value] of junk) if (!CONFIG_KEYS.includes(key as ConfigKey)) params.append(key, value);
        expect(checkDecoded(params.toString()).config).toEqual(config);
      }), { numRuns: 500 });
    const { problems } = decode('lr%E2%80%8B=0.5&LR=0.5&%EF%BD%8C%EF%BD%92=0.5&=3&%E2%80%AEevil=1');
    expect(problems).toEqual([
      { key: 'lr\uFFFD', message: 'is not a setting of this playground; ignored' },
      { key: 'LR', message: 'is not a setting of this playground (keys are lower case: did you mean lr?); ignored' },
      { key: '\uff4c\uff52', message: 'is not a setting of this playground; ignored' },
      { key: '(empty key)', message: 'is not a setting of this playground; ignored' },
      { key: '\uFFFDevil', message: 'is not a setting of this playground; ignored' },
    ]);
  });

  it('lists keys that look the same once', () => {
    const long = 'k'.repeat(30);
    const { problems } = decode(`${long}a=1&${long}b=2&x%00=1&x%01=2`);
    expect(problems.map((p) => p.key)).toEqual([`${'k'.repeat(24)}…`, 'x\uFFFD']);
  });

  it('is not fooled by prototype keys', () => {
    const { config, problems } = checkDecoded('__proto__=1&__proto__[polluted]=1&constructor[prototype][polluted]=1&toString=2&lr=0.5');
    expect(config).toEqual({ ...DEFAULT_CONFIG, lr: 0.5 });
    expect(problems).toHaveLength(4);
  });

  it('copes with 100 kB links of every kind', () => {
    const big = [
      'lr=1&'.repeat(20_000), // one key twenty thousand times
      `lr=${'9'.repeat(100_000)}`, // one huge value
      `${'x'.repeat(100_000)}=1`, // one huge key
      '%'.repeat(100_000),
      '&'.repeat(100_000),
      '%F0%9F%92%A9'.repeat(17_000), // emoji
      Array.from({ length: 5_000 }, (_, i) => `${CONFIG_KEYS[i % CONFIG_KEYS.length]}=${i}`).join('&'),
    ];
    for (const q of big) {
      expect(q.length).toBeGreaterThanOrEqual(25_000);
      const { problems } = checkDecoded(q);
      expect(problems.length).toBeLessThanOrEqual(2 * CONFIG_KEYS.length + 6);
    }
    expect(decode(big[0]).problems).toEqual([{ key: 'lr', message: 'appears 20000 times; using the first' }]);
    fc.assert(fc.property(fc.array(pair, { minLength: 2_000, maxLength: 4_000 }), (pairs) => {
      checkDecoded(pairs.join('&'));
    }), { numRuns: 10 });
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
