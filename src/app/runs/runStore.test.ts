import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDB } from 'idb';
import { openRunStore, WEIGHTS_BUDGET_BYTES, type RunStore, type RunStoreOptions } from './runStore';
import { sampleRun } from './runRecord.testing';

const MB = 1024 * 1024;
const opened: RunStore[] = [];
let databases = 0;

/** Each test its own database (and so its own BroadcastChannel). */
const freshName = () => `lenet-runs-test-${++databases}`;

async function open(options: RunStoreOptions = {}): Promise<RunStore> {
  const result = await openRunStore({ name: freshName(), ...options });
  if ('problem' in result) throw new Error(result.problem);
  opened.push(result.store);
  return result.store;
}

function weightsOf(bytes: number, fill = 1) {
  return { modelJson: '{"modelTopology":{}}', weights: new Uint8Array(bytes).fill(fill).buffer };
}

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('the run store', () => {
  it('saves, lists newest first, renames, removes and clears', async () => {
    const store = await open();
    expect(await store.list()).toEqual({ runs: [], skipped: 0 });
    const older = sampleRun({ id: 'older', name: 'Older', startedAt: 1000 });
    const newer = sampleRun({ id: 'newer', name: 'Newer', startedAt: 2000 });
    await store.save(older, null);
    await store.save(newer, weightsOf(8, 7));
    expect(await store.list()).toEqual({ runs: [{ ...newer, hasWeights: true }, older], skipped: 0 });
    expect(new Uint8Array((await store.weights('newer'))!.weights)).toEqual(new Uint8Array(8).fill(7));
    expect(await store.weights('older')).toBeNull();

    await store.rename('older', '  <b>Best</b>\nrun  ');
    expect((await store.list()).runs[1].name).toBe('<b>Best</b> run');
    await expect(store.rename('older', ' \n ')).rejects.toThrow('A run\'s name needs at least one visible character.');
    await expect(store.rename('gone', 'x')).rejects.toThrow(/no longer kept/);

    await store.remove('newer');
    expect((await store.list()).runs.map((run) => run.id)).toEqual(['older']);
    expect(await store.weights('newer')).toBeNull();

    await store.clear();
    expect(await store.list()).toEqual({ runs: [], skipped: 0 });
  });

  it('refuses an invalid record with a sentence and keeps nothing of it', async () => {
    const store = await open();
    await expect(store.save(sampleRun({ seconds: NaN }), null)).rejects.toThrow('This run was not kept: seconds is not a number from 0 to 40000000.');
    expect(await store.list()).toEqual({ runs: [], skipped: 0 });
  });

  it('skips and counts records that fail validation', async () => {
    const name = freshName();
    const store = await open({ name });
    await store.save(sampleRun(), null);
    store.close();
    const db = await openDB(name, 2);
    await db.put('runs', { id: 'bad', name: '', epochs: 'many' });
    db.close();
    const again = await open({ name });
    expect(await again.list()).toEqual({ runs: [sampleRun()], skipped: 1 });
  });

  it('keeps weights for the newest runs within the budget, metrics for all', async () => {
    const store = await open();
    const size = 20 * MB;
    expect(3 * size).toBeGreaterThan(WEIGHTS_BUDGET_BYTES);
    // Saved out of order: the budget follows startedAt, not the order of saving.
    await store.save(sampleRun({ id: 'b', startedAt: 2000 }), weightsOf(size, 2));
    await store.save(sampleRun({ id: 'c', startedAt: 3000 }), weightsOf(size, 3));
    await store.save(sampleRun({ id: 'a', startedAt: 1000 }), weightsOf(size, 1));
    const { runs } = await store.list();
    expect(runs.map((run) => [run.id, run.hasWeights])).toEqual([['c', true], ['b', true], ['a', false]]);
    expect(runs.every((run) => run.epochs.length === 2 && run.points.length === 3)).toBe(true);
    expect(await store.weights('a')).toBeNull();
    expect(new Uint8Array((await store.weights('b'))!.weights)[0]).toBe(2);

    await store.save(sampleRun({ id: 'd', startedAt: 4000 }), weightsOf(size, 4));
    expect((await store.list()).runs.map((run) => [run.id, run.hasWeights]))
      .toEqual([['d', true], ['c', true], ['b', false], ['a', false]]);
    expect(await store.weights('b')).toBeNull();
  });

  it('keeps no weights larger than the whole budget, and the others keep theirs', async () => {
    const store = await open();
    await store.save(sampleRun({ id: 'small', startedAt: 1 }), weightsOf(1000));
    await store.save(sampleRun({ id: 'huge', startedAt: 2 }), weightsOf(WEIGHTS_BUDGET_BYTES + 1));
    expect((await store.list()).runs.map((run) => [run.id, run.hasWeights])).toEqual([['huge', false], ['small', true]]);
  });

  it('rejects a save that hits the quota with a clear sentence, and loses nothing', async () => {
    const store = await open();
    const first = sampleRun({ id: 'first', startedAt: 1 });
    await store.save(first, weightsOf(16));
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (this.name === 'weights') throw new DOMException('Quota exceeded', 'QuotaExceededError');
      return put.apply(this, args);
    });
    await expect(store.save(sampleRun({ id: 'second', startedAt: 2 }), weightsOf(16)))
      .rejects.toThrow('The browser\'s storage is full: this run was not kept. Delete some runs to make room.');
    vi.restoreAllMocks();
    // The run's metrics were written before its weights failed: the whole save was undone.
    expect(await store.list()).toEqual({ runs: [{ ...first, hasWeights: true }], skipped: 0 });
    expect(await store.weights('first')).not.toBeNull();
    await store.save(sampleRun({ id: 'third', startedAt: 3 }), null);
    expect((await store.list()).runs.map((run) => run.id)).toEqual(['third', 'first']);
  });

  it('says why when IndexedDB is missing', async () => {
    vi.stubGlobal('indexedDB', undefined);
    expect(await openRunStore()).toEqual({
      problem: 'Runs cannot be kept in this browser (IndexedDB is not available); training works as usual.',
    });
  });

  it('says why when the database does not open', async () => {
    vi.spyOn(indexedDB, 'open').mockImplementation(() => { throw new DOMException('denied', 'SecurityError'); });
    expect(await openRunStore({ name: freshName() })).toEqual({
      problem: 'Runs cannot be kept in this browser (its database did not open: denied); training works as usual.',
    });
  });

  it('says to reload when the database is newer than this page', async () => {
    const name = freshName();
    (await openDB(name, 3)).close();
    expect(await openRunStore({ name })).toEqual({ problem: expect.stringMatching(/newer version of this playground: reload this page/) });
  });

  it('tells a second store on the same database when the first changes something', async () => {
    const name = freshName();
    const first = await open({ name, onChange: () => { throw new Error('own changes are not news'); } });
    let changes = 0;
    let changed = () => {};
    await open({ name, onChange: () => { changes++; changed(); } });
    const next = () => new Promise<void>((resolve) => { changed = resolve; });

    let heard = next();
    await first.save(sampleRun(), null);
    await heard;
    heard = next();
    await first.rename(sampleRun().id, 'Renamed');
    await heard;
    heard = next();
    await first.remove(sampleRun().id);
    await heard;
    heard = next();
    await first.clear();
    await heard;
    expect(changes).toBe(4);
  });
});

describe('upgrades', () => {
  async function versionOne(name: string) {
    const db = await openDB(name, 1, { upgrade: (database) => { database.createObjectStore('runs', { keyPath: 'id' }); } });
    // Version 1 had no hasWeights: the weights themselves were in the run.
    const oldRun: Record<string, unknown> = { ...sampleRun() };
    delete oldRun.hasWeights;
    await db.put('runs', { ...oldRun, id: 'with', startedAt: 2, weights: weightsOf(4, 9) });
    await db.put('runs', { ...oldRun, id: 'without', startedAt: 1 });
    return db;
  }

  it('opens a version-1 database with its runs intact and the weights moved', async () => {
    const name = freshName();
    (await versionOne(name)).close();
    const store = await open({ name });
    const { runs, skipped } = await store.list();
    expect(skipped).toBe(0);
    expect(runs).toEqual([sampleRun({ id: 'with', startedAt: 2, hasWeights: true }), sampleRun({ id: 'without', startedAt: 1 })]);
    const weights = await store.weights('with');
    expect(weights!.modelJson).toBe(weightsOf(4).modelJson);
    expect(new Uint8Array(weights!.weights)).toEqual(new Uint8Array(4).fill(9));
    store.close();

    const db = await openDB(name, 2);
    expect([...db.objectStoreNames]).toEqual(['runs', 'weights']);
    expect(await db.get('runs', 'with')).not.toHaveProperty('weights');
    db.close();
  });

  it('gives up with a sentence while another tab holds the old version open, and works once it closes', async () => {
    const name = freshName();
    const old = await versionOne(name);
    expect(await openRunStore({ name })).toEqual({ problem: expect.stringMatching(/^Runs cannot be kept while another tab has an older version/) });
    old.close();
    const store = await open({ name });
    expect((await store.list()).runs).toHaveLength(2);
    store.close();
    // The abandoned request finished the upgrade and closed its connection: nothing holds the database.
    const blockedBy: number[] = [];
    const newer = await openDB(name, 3, { blocked: (current) => blockedBy.push(current) });
    expect(blockedBy).toEqual([]);
    newer.close();
  });

  it('steps aside when another tab opens a newer version', async () => {
    const name = freshName();
    const problems: string[] = [];
    const store = await open({ name, onClose: (problem) => problems.push(problem) });
    await store.save(sampleRun(), null);
    const newer = await openDB(name, 3);
    expect(problems).toEqual(['A newer version of this playground opened in another tab: reload this page to keep runs again.']);
    await expect(store.list()).rejects.toThrow(problems[0]);
    await expect(store.save(sampleRun(), null)).rejects.toThrow(problems[0]);
    newer.close();
  });
});
