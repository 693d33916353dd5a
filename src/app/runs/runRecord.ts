/**
 * A kept training run as it is stored, and the one gate it passes on the way
 * back: whatever IndexedDB returns may come from an older page, another tab
 * or a hand-edited profile, so nothing is shown until validateRunRecord has
 * rebuilt it field by field.
 */
import { decode, encode, written } from '../../core/config/codec';
import type { ChartPoint } from '../runState';
import { DATASETS, PARAMS, type Config } from '../../core/config/params';


/** Same shape as ChartPoint in src/app/runState.ts. */
/** One x position of the run's curves, as the chart draws them. */
export type RunPoint = ChartPoint;

export interface RunEpoch {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  seconds: number;
  imagesPerSecond: number;
}

export const RUN_ENDS = ['done', 'stopped', 'diverged', 'error'] as const;
export type RunEnd = (typeof RUN_ENDS)[number];

export interface RunRecord {
  /** Unique; see newRunId. */
  id: string;
  /** Editable, 1–80 characters of plain text (see cleanRunName). */
  name: string;
  /** The config in share-link form, encode(config); '' is the book's defaults. */
  link: string;
  /** A DatasetName. */
  dataset: string;
  backend: string;
  backendDetails: string;
  /** ms since the epoch. */
  startedAt: number;
  /** Duration of the run. */
  seconds: number;
  end: RunEnd;
  epochs: RunEpoch[];
  points: RunPoint[];
  /** The weights live in their own object store; the store sets this. */
  hasWeights: boolean;
}

export interface RunWeights {
  modelJson: string;
  weights: ArrayBuffer;
}

export const RUN_LIMITS = {
  name: 80,
  id: 64,
  link: 2000,
  backend: 40,
  backendDetails: 200,
  epochs: 1000,
  points: 20_000,
  /** Epoch numbers (and chart x positions) beyond this are not from a real run. */
  epochNumber: 1000,
  /** A little over a year of training. */
  seconds: 4e7,
} as const;

const DEFAULT_NAME_LENGTH = 60;
const ID = /^[A-Za-z0-9_-]+$/;
/** Controls, line separators, format characters (bidi overrides) and lone surrogates. */
const NOT_PLAIN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
const LATEST_DATE = 8.64e15;

/** crypto.randomUUID exists only in secure contexts; a page served over plain http still needs ids. */
export function newRunId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof crypto !== 'undefined' && typeof crypto.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * A name as typed, made storable: line breaks and tabs become spaces, invisible
 * format characters go, runs of spaces shrink to one, and it is cut to 80
 * characters. '' when nothing is left (the caller refuses that).
 */
export function cleanRunName(text: string): string {
  const plain = text
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/[\p{Cf}\p{Cs}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  return Array.from(plain).slice(0, RUN_LIMITS.name).join('').trim();
}

/** The config a record was trained with. */
export function runConfig(record: Pick<RunRecord, 'link'>): Config {
  return decode(record.link).config;
}

/** The settings of b that differ from a, as `key=value` in share-link order and form. */
export function configDiff(a: Config, b: Config): string[] {
  return PARAMS
    .filter(({ key }) => written(a[key]) !== written(b[key]))
    .map(({ key }) => `${key}=${written(b[key])}`);
}

/** Settings the Runs table shows in columns of their own, so its diff column leaves them out. */
const OWN_COLUMNS = ['dataset=', 'backend=', 'epochs='];

/**
 * What a run changed from the book's LeNet, short, as its share link says it: 'lr=0.1, pool=max', or
 * 'preset=modern, lr=0.0005' (a preset stands for all it changes).
 */
export function diffFromBook(config: Config): string {
  const diff = encode(config).split('&').filter((change) => change && !OWN_COLUMNS.some((key) => change.startsWith(key)));
  return diff.length === 0 ? 'the book\'s LeNet' : diff.join(', ');
}

/**
 * E.g. 'Run 3: pool=max'. `existing` is how many runs are kept already, so
 * the first run is Run 1. The name depends on nothing else (no clock, no
 * locale), so it reads the same in every tab.
 */
export function defaultRunName(record: Pick<RunRecord, 'link' | 'startedAt'>, existing: number): string {
  const count = Number.isSafeInteger(existing) && existing >= 0 ? existing + 1 : 1;
  const name = Array.from(`Run ${count}: ${diffFromBook(runConfig(record))}`);
  if (name.length <= DEFAULT_NAME_LENGTH) return name.join('');
  return `${name.slice(0, DEFAULT_NAME_LENGTH - 1).join('').replace(/[\s,]+$/u, '')}…`;
}

type Fields = Record<string, unknown>;

class Invalid extends Error {}

function fail(message: string): never {
  throw new Invalid(message);
}

/** Own properties only: a value reached through a prototype was never stored. */
function field(object: Fields, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function objectAt(value: unknown, where: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${where} is not an object`);
  return value as Fields;
}

function numberIn(value: unknown, where: string, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    fail(`${where} is not ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
  }
  // -0 and 0 are the same measurement; keep records canonical.
  return value === 0 ? 0 : value;
}

function plainText(value: unknown, where: string, max: number): string {
  if (typeof value !== 'string' || value.length > max || NOT_PLAIN.test(value)) {
    fail(`${where} is not plain text of at most ${max} characters`);
  }
  return value;
}

function listAt<T>(value: unknown, where: string, max: number, item: (value: unknown, where: string) => T): T[] {
  if (!Array.isArray(value)) fail(`${where} is not a list`);
  // Checked before looking inside: a million-entry list is refused without walking it.
  if (value.length > max) fail(`${where} has more than ${max} entries`);
  const items: T[] = [];
  for (let i = 0; i < value.length; i++) items.push(item(value[i], `${where}[${i}]`));
  return items;
}

const accuracy = (value: unknown, where: string) => numberIn(value, where, 0, 1);
const loss = (value: unknown, where: string) => numberIn(value, where, 0, Number.MAX_VALUE);

function epochAt(value: unknown, where: string): RunEpoch {
  const object = objectAt(value, where);
  return {
    epoch: numberIn(field(object, 'epoch'), `${where}.epoch`, 1, RUN_LIMITS.epochNumber, true),
    trainLoss: loss(field(object, 'trainLoss'), `${where}.trainLoss`),
    trainAccuracy: accuracy(field(object, 'trainAccuracy'), `${where}.trainAccuracy`),
    testAccuracy: accuracy(field(object, 'testAccuracy'), `${where}.testAccuracy`),
    seconds: numberIn(field(object, 'seconds'), `${where}.seconds`, 0, RUN_LIMITS.seconds),
    imagesPerSecond: numberIn(field(object, 'imagesPerSecond'), `${where}.imagesPerSecond`, 0, Number.MAX_VALUE),
  };
}

function pointAt(value: unknown, where: string): RunPoint {
  const object = objectAt(value, where);
  const point: RunPoint = { epoch: numberIn(field(object, 'epoch'), `${where}.epoch`, 0, RUN_LIMITS.epochNumber) };
  const optional = (key: 'trainLoss' | 'trainAccuracy' | 'testAccuracy', check: typeof loss) => {
    const raw = field(object, key);
    if (raw !== undefined) point[key] = check(raw, `${where}.${key}`);
  };
  optional('trainLoss', loss);
  optional('trainAccuracy', accuracy);
  optional('testAccuracy', accuracy);
  return point;
}

function recordFrom(value: unknown): RunRecord {
  const object = objectAt(value, 'the run');
  const id = field(object, 'id');
  if (typeof id !== 'string' || id.length > RUN_LIMITS.id || !ID.test(id)) fail('id is not an id');
  const name = field(object, 'name');
  if (typeof name !== 'string' || name === '' || cleanRunName(name) !== name) {
    fail(`name is not plain text of 1 to ${RUN_LIMITS.name} characters`);
  }
  const link = plainText(field(object, 'link'), 'link', RUN_LIMITS.link);
  if (decode(link).problems.length > 0) fail('link does not describe a valid setup');
  const dataset = field(object, 'dataset');
  if (!(DATASETS as readonly unknown[]).includes(dataset)) fail(`dataset is not one of ${DATASETS.join(', ')}`);
  const end = field(object, 'end');
  if (!(RUN_ENDS as readonly unknown[]).includes(end)) fail(`end is not one of ${RUN_ENDS.join(', ')}`);
  const hasWeights = field(object, 'hasWeights');
  if (typeof hasWeights !== 'boolean') fail('hasWeights is not true or false');
  return {
    id,
    name,
    link,
    dataset: dataset as string,
    backend: plainText(field(object, 'backend'), 'backend', RUN_LIMITS.backend),
    backendDetails: plainText(field(object, 'backendDetails'), 'backendDetails', RUN_LIMITS.backendDetails),
    startedAt: numberIn(field(object, 'startedAt'), 'startedAt', 0, LATEST_DATE),
    seconds: numberIn(field(object, 'seconds'), 'seconds', 0, RUN_LIMITS.seconds),
    end: end as RunEnd,
    epochs: listAt(field(object, 'epochs'), 'epochs', RUN_LIMITS.epochs, epochAt),
    points: listAt(field(object, 'points'), 'points', RUN_LIMITS.points, pointAt),
    hasWeights,
  };
}

/**
 * A fresh plain copy holding the known fields only, or what is wrong with the
 * first bad field. Never throws, even on getters that throw or proxies.
 */
export function validateRunRecord(value: unknown): { record: RunRecord } | { problem: string } {
  try {
    return { record: recordFrom(value) };
  } catch (error) {
    return { problem: error instanceof Invalid ? error.message : 'the run could not be read' };
  }
}
