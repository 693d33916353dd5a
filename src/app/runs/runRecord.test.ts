import { describe, expect, it } from 'vitest';
import {
  cleanRunName, configDiff, defaultRunName, diffFromBook, newRunId, runConfig, validateRunRecord,
  type RunRecord,
} from './runRecord';
import { sampleRun } from './runRecord.testing';
import { decode, encode } from '../../core/config/codec';
import { DEFAULT_CONFIG, presetConfig } from '../../core/config/params';

const problemOf = (value: unknown) => {
  const result = validateRunRecord(value);
  return 'problem' in result ? result.problem : null;
};

describe('validateRunRecord', () => {
  it('gives back a good record as an equal, fresh copy', () => {
    const run = sampleRun();
    const result = validateRunRecord(run);
    expect(result).toEqual({ record: run });
    const record = (result as { record: RunRecord }).record;
    expect(record).not.toBe(run);
    expect(record.epochs).not.toBe(run.epochs);
    expect(record.points[0]).not.toBe(run.points[0]);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  });

  it('survives a structured clone and JSON', () => {
    const run = sampleRun({ end: 'diverged', link: '', hasWeights: true });
    expect(validateRunRecord(structuredClone(run))).toEqual({ record: run });
    expect(validateRunRecord(JSON.parse(JSON.stringify(run)))).toEqual({ record: run });
  });

  it.each([
    ['not an object', 'run', /the run is not an object/],
    ['null', null, /the run is not an object/],
    ['an array', [], /the run is not an object/],
    ['id missing', { id: undefined }, /^id/],
    ['id with spaces', { id: 'a b' }, /^id/],
    ['id too long', { id: 'a'.repeat(65) }, /^id/],
    ['name empty', { name: '' }, /^name/],
    ['name a number', { name: 7 }, /^name/],
    ['name too long', { name: 'x'.repeat(81) }, /^name/],
    ['name with a line break', { name: 'a\nb' }, /^name/],
    ['name with a bidi override', { name: 'a\u202eb' }, /^name/],
    ['name with outer spaces', { name: ' a ' }, /^name/],
    ['link not a string', { link: 3 }, /^link/],
    ['link with a bad value', { link: 'lr=banana' }, /^link/],
    ['link with an unknown key', { link: 'colour=red' }, /^link/],
    ['link too long', { link: `lr=0.1&${'x'.repeat(2000)}` }, /^link/],
    ['dataset unknown', { dataset: 'cifar' }, /^dataset/],
    ['backend not a string', { backend: null }, /^backend/],
    ['backend too long', { backend: 'w'.repeat(41) }, /^backend/],
    ['backendDetails with a control character', { backendDetails: 'a\u0000' }, /^backendDetails/],
    ['startedAt negative', { startedAt: -1 }, /^startedAt/],
    ['startedAt a string', { startedAt: '2025' }, /^startedAt/],
    ['startedAt beyond any date', { startedAt: 9e15 }, /^startedAt/],
    ['seconds NaN', { seconds: NaN }, /^seconds/],
    ['seconds infinite', { seconds: Infinity }, /^seconds/],
    ['end unknown', { end: 'paused' }, /^end/],
    ['hasWeights a string', { hasWeights: 'yes' }, /^hasWeights/],
    ['epochs not a list', { epochs: {} }, /^epochs/],
    ['an epoch not an object', { epochs: [1] }, /^epochs\[0\]/],
    ['an epoch number fractional', { epochs: [{ ...sampleRun().epochs[0], epoch: 1.5 }] }, /^epochs\[0\]\.epoch/],
    ['an epoch loss infinite', { epochs: [{ ...sampleRun().epochs[0], trainLoss: Infinity }] }, /^epochs\[0\]\.trainLoss/],
    ['an accuracy above 1', { epochs: [{ ...sampleRun().epochs[0], testAccuracy: 1.5 }] }, /^epochs\[0\]\.testAccuracy/],
    ['an epoch field missing', { epochs: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, testAccuracy: 0.5, seconds: 1 }] }, /imagesPerSecond/],
    ['a hole in the epochs', { epochs: [, sampleRun().epochs[0]] }, /^epochs\[0\]/], // eslint-disable-line no-sparse-arrays
    ['points not a list', { points: 'none' }, /^points/],
    ['a point without epoch', { points: [{ trainLoss: 1 }] }, /^points\[0\]\.epoch/],
    ['a point loss NaN', { points: [{ epoch: 1, trainLoss: NaN }] }, /^points\[0\]\.trainLoss/],
    ['a point accuracy negative', { points: [{ epoch: 1, trainAccuracy: -0.1 }] }, /^points\[0\]\.trainAccuracy/],
  ])('refuses %s', (_label, change, message) => {
    const value = typeof change === 'object' && change !== null && !Array.isArray(change) ? sampleRun(change as Partial<RunRecord>) : change;
    expect(problemOf(value)).toMatch(message);
  });

  it('refuses a record with any field missing', () => {
    for (const key of Object.keys(sampleRun())) {
      const run: Record<string, unknown> = { ...sampleRun() };
      delete run[key];
      expect(problemOf(run), key).toMatch(new RegExp(`^${key}`));
    }
  });

  it('keeps HTML in a name as the same plain string', () => {
    const name = '<img src=x onerror="alert(1)"> & <b>bold</b>';
    const result = validateRunRecord(sampleRun({ name }));
    expect(result).toEqual({ record: sampleRun({ name }) });
    expect(typeof (result as { record: RunRecord }).record.name).toBe('string');
  });

  it('refuses huge lists without walking them', () => {
    const epochs = new Array(1001);
    expect(problemOf(sampleRun({ epochs }))).toBe('epochs has more than 1000 entries');
    const points = new Array(20_001).fill({ epoch: 1 });
    expect(problemOf(sampleRun({ points }))).toBe('points has more than 20000 entries');
    expect(validateRunRecord(sampleRun({ points: new Array(20_000).fill({ epoch: 1 }) }))).toHaveProperty('record');
  });

  it('ignores prototype pollution keys and extra fields', () => {
    const text = JSON.stringify(sampleRun()).replace(
      /^\{/,
      '{"__proto__":{"polluted":true,"hasWeights":true},"constructor":{"prototype":{"polluted":true}},"extra":"<script>",',
    );
    const result = validateRunRecord(JSON.parse(text));
    expect(result).toEqual({ record: sampleRun() });
    const record = (result as { record: RunRecord }).record;
    expect(Object.keys(record)).toEqual(Object.keys(sampleRun()));
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads own fields only, not inherited ones', () => {
    const { name, ...rest } = sampleRun();
    const value = Object.assign(Object.create({ name }), rest);
    expect(problemOf(value)).toMatch(/^name/);
  });

  it('never throws, even on a getter that throws or a hostile proxy', () => {
    const getter = Object.defineProperty(sampleRun(), 'seconds', { get() { throw new Error('boom'); } });
    expect(problemOf(getter)).toBe('the run could not be read');
    const proxy = new Proxy({}, { getPrototypeOf() { throw new Error('boom'); }, has() { throw new Error('boom'); }, getOwnPropertyDescriptor() { throw new Error('boom'); } });
    expect(problemOf(proxy)).toBe('the run could not be read');
  });

  it('leaves optional point values out rather than undefined', () => {
    const record = (validateRunRecord(sampleRun({ points: [{ epoch: 1, trainLoss: undefined, testAccuracy: 0.5 }] })) as { record: RunRecord }).record;
    expect(record.points[0]).toEqual({ epoch: 1, testAccuracy: 0.5 });
    expect(Object.keys(record.points[0])).toEqual(['epoch', 'testAccuracy']);
  });
});

describe('configDiff and diffFromBook', () => {
  const changed = { ...presetConfig('d2l'), pool: 'max', lr: 0.1 } as const;

  it('lists the differing settings in share-link order, as the link writes them', () => {
    expect(configDiff(DEFAULT_CONFIG, changed)).toEqual(['lr=0.1', 'pool=max']);
    expect(configDiff(changed, DEFAULT_CONFIG)).toEqual(['lr=0.9', 'pool=avg']);
    expect(configDiff(DEFAULT_CONFIG, presetConfig('d2l'))).toEqual([]);
  });

  it('says the book\'s LeNet when nothing differs', () => {
    expect(diffFromBook(DEFAULT_CONFIG)).toBe('the book\'s LeNet');
    expect(diffFromBook(decode('').config)).toBe('the book\'s LeNet');
  });

  it('joins the differences', () => {
    expect(diffFromBook(changed)).toBe('lr=0.1, pool=max');
  });

  it('counts seed, image counts and layers as settings; dataset, backend and epochs have columns of their own', () => {
    expect(diffFromBook(decode('seed=7&train=512&test=256&backend=wasm&epochs=2').config)).toBe('seed=7, train=512, test=256');
    expect(diffFromBook(decode('dataset=mnist&arch=c6k3p1-pool2-c16k5-pool2-d120-d84').config))
      .toBe('arch=c6k3p1-pool2-c16k5-pool2-d120-d84');
  });

  it('names a preset by its name, and what differs from it', () => {
    expect(diffFromBook(presetConfig('modern'))).toBe('preset=modern');
    expect(diffFromBook({ ...presetConfig('djl'), lr: 0.5 })).toBe('preset=djl, lr=0.5');
  });
});

describe('defaultRunName', () => {
  it('numbers the run after those kept and names what differs', () => {
    expect(defaultRunName({ link: encode({ ...presetConfig('d2l'), pool: 'max' }), startedAt: 0 }, 2)).toBe('Run 3: pool=max');
    expect(defaultRunName({ link: '', startedAt: 0 }, 0)).toBe('Run 1: the book\'s LeNet');
  });

  it('stays within 60 characters and is a valid name', () => {
    const name = defaultRunName({ link: 'preset=djl&lr=0.05&batch=64&optimizer=adam&init=he&activation=tanh&pool=max&seed=9', startedAt: 0 }, 41);
    expect(Array.from(name).length).toBeLessThanOrEqual(60);
    expect(name).toMatch(/^Run 42: preset=djl, lr=0\.05, batch=64, optimizer=adam, .*…$/);
    expect(cleanRunName(name)).toBe(name);
  });
});

describe('names and ids', () => {
  it('cleans a typed name to plain text of at most 80 characters', () => {
    expect(cleanRunName('  My\tbest\nrun \u202e ')).toBe('My best run');
    expect(cleanRunName('\u200b \n')).toBe('');
    expect(Array.from(cleanRunName('😀'.repeat(100)))).toHaveLength(80);
  });

  it('makes ids the validator accepts', () => {
    const id = newRunId();
    expect(id).not.toBe(newRunId());
    expect(validateRunRecord(sampleRun({ id }))).toHaveProperty('record');
  });

  it('reads back the config from the link', () => {
    expect(runConfig({ link: 'lr=0.1&pool=max' })).toEqual({ ...presetConfig('d2l'), lr: 0.1, pool: 'max' });
  });
});
