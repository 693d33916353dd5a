import { describe, expect, it } from 'vitest';
import { MAX_IMPORT_BYTES, importSizeProblem, isRunFile, readRunFile, runFileName, runFileText } from './runFile';
import { sampleRun } from './runRecord.testing';

const modelJson = JSON.stringify({
  modelTopology: {},
  weightsManifest: [{ paths: ['./model.weights.bin'], weights: [{ name: 'k', shape: [2, 3], dtype: 'float32' }, { name: 'b', shape: [3], dtype: 'float32' }] }],
});
const weights = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]).buffer;

const read = (text: string) => readRunFile(JSON.parse(text), 'run.json');

describe('a run as one file', () => {
  it('round-trips the record and its weights', () => {
    const text = runFileText(sampleRun(), { modelJson, weights });
    expect(isRunFile(JSON.parse(text))).toBe(true);
    const back = read(text);
    if ('problem' in back) throw new Error(back.problem);
    expect(back.record).toEqual(sampleRun());
    expect(back.weights?.modelJson).toBe(modelJson);
    expect(new Float32Array(back.weights!.weights)).toEqual(new Float32Array(weights));
    expect(read(runFileText(sampleRun(), null))).toEqual({ record: sampleRun(), weights: null });
  });

  it('names files after the run, with nothing but letters, digits and dashes', () => {
    expect(runFileName({ name: 'Run 3: pool=max, lr=0.1' })).toBe('lenet-run-run-3-pool-max-lr-0-1.json');
    expect(runFileName({ name: '<script>' })).toBe('lenet-run-script.json');
    expect(runFileName({ name: '日本' })).toBe('lenet-run-unnamed.json');
  });

  it('refuses what is not a run file of this version, naming the file', () => {
    expect(isRunFile({ modelTopology: {} })).toBe(false);
    expect(isRunFile(null)).toBe(false);
    expect(readRunFile({ format: 'lenet-playground-run', version: 2 }, 'x.json')).toEqual({
      problem: 'x.json: a run file of another version; this playground reads version 1',
    });
    expect(readRunFile({ format: 'lenet-playground-run', version: 1, run: 'no' }, 'x.json')).toMatchObject({ problem: expect.stringMatching(/^x\.json: /) });
  });

  it('keeps HTML as plain text and refuses records of the wrong shape', () => {
    const html = '<img src=x onerror=alert(1)>';
    const back = read(runFileText(sampleRun({ backendDetails: html }), null));
    expect('record' in back && back.record.backendDetails).toBe(html);
    for (const broken of [{ epochs: 'many' }, { points: [{ epoch: 'one' }] }, { link: 'lr=banana' }, { end: 'exploded' }]) {
      const file = JSON.parse(runFileText(sampleRun(), null));
      Object.assign(file.run, broken);
      expect(readRunFile(file, 'run.json'), JSON.stringify(broken)).toMatchObject({ problem: expect.stringMatching(/^run\.json: /) });
    }
  });

  it('refuses weights that do not match their manifest, or are not base64', () => {
    const file = JSON.parse(runFileText(sampleRun(), { modelJson, weights }));
    const short = { ...file, weights: { ...file.weights, weightsBase64: file.weights.weightsBase64.slice(0, 8) } };
    expect(readRunFile(short, 'run.json')).toEqual({ problem: 'run.json: its weights do not match their own manifest' });
    const garbage = { ...file, weights: { ...file.weights, weightsBase64: '***' } };
    expect(readRunFile(garbage, 'run.json')).toEqual({ problem: 'run.json: its weights do not match their own manifest' });
    const huge = { ...file, weights: { modelJson: 'x'.repeat(2_000_001), weightsBase64: '' } };
    expect(readRunFile(huge, 'run.json')).toEqual({ problem: 'run.json: its weights are not a tfjs model of this playground\'s size' });
  });

  it('refuses a huge file before reading it, by name', () => {
    expect(importSizeProblem([{ name: 'model.json', size: 2000 }, { name: 'model.weights.bin', size: 250_000 }])).toBeNull();
    expect(importSizeProblem([{ name: 'model.json', size: 2000 }, { name: 'huge.bin', size: MAX_IMPORT_BYTES + 1 }]))
      .toBe('huge.bin: 100 MB is far more than any run or model of this playground; nothing was imported.');
  });
});
