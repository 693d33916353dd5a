/**
 * Answers the page's questions about the dataset and a run's model (see
 * Query in protocol.ts) with plain typed arrays. They run between training
 * steps, like Pause and Stop, and never throw: a gone model or a lost GPU
 * becomes an 'unavailable' reply with the reason.
 */
import type { Dataset } from '../core/data/idx';
import { NUM_CLASSES } from '../core/data/idx';
import { activations, imageInput, predictProbabilities } from '../core/inspect/activations';
import { cellRows, topMistakes, type Ranked } from '../core/inspect/ranking';
import type { Evaluation } from '../core/inspect/evaluate';
import { IMAGE_PIXELS } from '../core/model/architecture';
import { exportModel } from '../core/model/export';
import { notHeld, type DatasetStore } from './dataset';
import type { ImageSource, ImagesReply, Query, QueryReply } from './protocol';
import type { KeptRun, RunSession } from './session';

/** More thumbnails than any view shows: a bound on what one reply carries. */
const MAX_IMAGES = 200;

function unavailable(message: string) {
  return { type: 'unavailable' as const, message };
}

function thumbnails(dataset: Dataset, split: 'train' | 'test', indices: number[], total: number): ImagesReply {
  const pixels = new Uint8Array(indices.length * IMAGE_PIXELS);
  const labels = new Uint8Array(indices.length);
  indices.forEach((image, i) => {
    pixels.set(dataset.images.subarray(image * IMAGE_PIXELS, (image + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS);
    labels[i] = dataset.labels[image];
  });
  return { type: 'images', split, indices: Int32Array.from(indices), labels, pixels, total };
}

function samples(dataset: Dataset, split: 'train' | 'test', perClass: number): ImagesReply {
  const wanted = Math.max(0, Math.min(Math.floor(perClass), Math.floor(MAX_IMAGES / NUM_CLASSES)));
  const byClass: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
  let found = 0;
  for (let image = 0; image < dataset.count && found < wanted * NUM_CLASSES; image++) {
    const list = byClass[dataset.labels[image]];
    if (list && list.length < wanted) {
      list.push(image);
      found++;
    }
  }
  const indices = byClass.flat();
  return thumbnails(dataset, split, indices, indices.length);
}

function rankedImages(test: Dataset, evaluation: Evaluation, ranked: Ranked): ImagesReply {
  const reply = thumbnails(test, 'test', ranked.rows.map((row) => evaluation.images[row]), ranked.total);
  reply.predicted = Int32Array.from(ranked.rows, (row) => evaluation.predicted[row]);
  reply.confidence = Float32Array.from(ranked.rows, (row) => evaluation.confidence[row]);
  return reply;
}

function limitOf(limit: number): number {
  return Math.max(0, Math.min(Math.floor(limit) || 0, MAX_IMAGES));
}

function isClass(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < NUM_CLASSES;
}

/** The pixels of `image`, or why it cannot be had. */
function pixelsOf(image: ImageSource, splits: { train: Dataset; test: Dataset }): Uint8Array | Float32Array | string {
  if (image.kind === 'drawing') {
    return image.pixels instanceof Float32Array && image.pixels.length === IMAGE_PIXELS ? image.pixels : 'A drawing must be 28×28 pixels.';
  }
  const dataset = splits[image.kind];
  if (!Number.isInteger(image.index) || image.index < 0 || image.index >= dataset.count) {
    return `There is no ${image.kind} image ${image.index}.`;
  }
  return dataset.images.subarray(image.index * IMAGE_PIXELS, (image.index + 1) * IMAGE_PIXELS);
}

export class QueryAnswerer {
  constructor(private readonly dataset: DatasetStore, private readonly runs: RunSession) {}

  async answer<Q extends Query>(query: Q): Promise<QueryReply<Q>> {
    try {
      return await this.answerOrThrow(query) as QueryReply<Q>;
    } catch (error) {
      return unavailable(`The model could not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async answerOrThrow(query: Query): Promise<QueryReply> {
    if (query.type === 'samples') {
      const splits = this.dataset.current(query.dataset);
      if (!splits) return unavailable(notHeld(query.dataset));
      return samples(splits[query.split === 'test' ? 'test' : 'train'], query.split, query.perClass);
    }
    const run: KeptRun | string = this.runs.find(query.runId);
    if (typeof run === 'string') return unavailable(run);
    const { splits } = run;
    switch (query.type) {
      case 'run-samples':
        return samples(splits[query.split === 'test' ? 'test' : 'train'], query.split, query.perClass);
      case 'cell':
      case 'mistakes': {
        if (!run.evaluation) return unavailable('The first epoch has not ended yet: its test pass fills this in.');
        if (query.type === 'cell') {
          if (!isClass(query.trueClass) || !isClass(query.predictedClass)) return unavailable('No such cell.');
          return rankedImages(splits.test, run.evaluation, cellRows(run.evaluation, query.trueClass, query.predictedClass, limitOf(query.limit)));
        }
        const filter = {
          trueClass: isClass(query.trueClass) ? query.trueClass : null,
          predictedClass: isClass(query.predictedClass) ? query.predictedClass : null,
        };
        return rankedImages(splits.test, run.evaluation, topMistakes(run.evaluation, filter, limitOf(query.limit)));
      }
      case 'export':
        return { type: 'model-files', ...await exportModel(run.model) };
      case 'activations':
      case 'predict': {
        const pixels = pixelsOf(query.image, splits);
        if (typeof pixels === 'string') return unavailable(pixels);
        const input = imageInput(pixels);
        try {
          if (query.type === 'predict') {
            return { type: 'probabilities', probabilities: await predictProbabilities(run.model, input) };
          }
          return { type: 'activations', ...await activations(run.model, input) };
        } finally {
          input.dispose();
        }
      }
    }
  }
}

/** Every typed array buffer in a reply, for Comlink.transfer. */
export function transferables(reply: QueryReply): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (array: ArrayBufferView | undefined) => {
    if (array && array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  };
  switch (reply.type) {
    case 'images':
      [reply.indices, reply.labels, reply.pixels, reply.predicted, reply.confidence].forEach(add);
      break;
    case 'activations':
      reply.maps.forEach((map) => add(map.values));
      add(reply.probabilities);
      add(reply.kernels?.values);
      break;
    case 'probabilities':
      add(reply.probabilities);
      break;
    case 'model-files':
      buffers.add(reply.weights);
      break;
    case 'unavailable':
      break;
  }
  return [...buffers];
}
