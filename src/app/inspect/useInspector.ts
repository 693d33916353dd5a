/**
 * What the inspection views show, asked of the worker: dataset samples, a
 * confusion cell's images, the top mistakes, feature maps for one or two
 * images and the drawing's prediction. Each kind of question goes through its
 * own coalescer (one in flight, the newest waiting), and is asked again when
 * the model changes: every epoch for the test-pass views, at most once a
 * second (cadence.ts) for the live ones (feature maps, prediction).
 */
import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { DATASET_INFO, type DatasetName } from '../../core/data/datasets';
import type { ActivationsReply, ImageSource, ImagesReply, PredictReply, Query, QueryReply, UnavailableReply } from '../../worker/protocol';
import { emptyDrawing, fromBytes } from './brush';
import { DRAW_INTERVAL_MS, LIVE_INTERVAL_MS } from './cadence';
import { coalesce, type Coalescer } from './coalesce';
import type { ScaleMode } from './scale';
import { BOOK_PAIR, firstOfClass, imageTitle, thumbs, type ClassNames, type Thumb } from './views';

export type QueryFn = <Q extends Query>(query: Q) => Promise<QueryReply<Q>>;

/** What the views need to know of the run. */
export interface InspectedRun {
  runId: number | null;
  /** The chosen dataset: the Dataset view shows it. */
  dataset: DatasetName;
  /** What the run trained on: the views about its model use its images and class names. */
  runDataset: DatasetName | null;
  /** The datasets the worker holds. */
  loaded: readonly DatasetName[];
  /** Finished epochs: the test-pass views refresh when it grows. */
  epochs: number;
  /** Progress points so far: the live views refresh when it grows. */
  progress: number;
}

/** An image chosen for Feature maps or Draw. */
export interface ImageChoice {
  source: ImageSource;
  title: string;
  /** 784 bytes for a dataset image, 784 floats in 0…1 for a drawing. */
  pixels: Uint8Array | Float32Array;
}

export interface Cell {
  trueClass: number;
  predictedClass: number;
}

export interface MistakeFilter {
  trueClass: number | null;
  predictedClass: number | null;
}

export type PickTarget = 'first' | 'second';

const CELL_LIMIT = 60;
const MISTAKES_LIMIT = 48;
const SAMPLES_PER_CLASS = 10;

const TRAIN_FIRST = 'Train to see this: it needs a trained model.';

export function choiceOf(names: ClassNames, thumb: Thumb): ImageChoice {
  return { source: { kind: thumb.split, index: thumb.index }, title: imageTitle(names, thumb), pixels: thumb.pixels };
}

type Reply<T> = T | UnavailableReply | null;

/** A coalescer for as long as the component lives (effects after this one can use it). */
function useCoalescer<A, R>(ask: (args: A) => Promise<R>, deliver: (reply: R, args: A) => void, minIntervalMs = 0): RefObject<Coalescer<A> | null> {
  const coalescer = useRef<Coalescer<A> | null>(null);
  useEffect(() => {
    const created = coalesce(ask, deliver, { minIntervalMs });
    coalescer.current = created;
    return () => {
      created.dispose();
      if (coalescer.current === created) coalescer.current = null;
    };
  }, [ask, deliver, minIntervalMs]);
  return coalescer;
}

/** A reply with the run (or dataset) it is about: one about an older run reads as none. */
interface Tagged<T, K = number> {
  runId: K;
  reply: T;
}

function current<T, K>(tagged: Tagged<T, K> | null, runId: K | null): T | null {
  return tagged && tagged.runId === runId ? tagged.reply : null;
}

export function useInspector(query: QueryFn, run: InspectedRun) {
  const { runId, dataset, epochs, progress, loaded } = run;
  // What the run learned, or what it will learn before the first Train.
  const modelDataset = run.runDataset ?? dataset;
  const datasetReady = loaded.includes(dataset);
  const modelDatasetReady = loaded.includes(modelDataset);

  // ---- Dataset samples (no model needed) ----
  const [samples, setSamples] = useState<Tagged<Reply<ImagesReply>, DatasetName> | null>(null);
  useEffect(() => {
    if (!datasetReady) return;
    let live = true;
    void query({ type: 'samples', dataset, split: 'train', perClass: SAMPLES_PER_CLASS }).then((reply) => {
      if (live) setSamples({ runId: dataset, reply });
    });
    return () => {
      live = false;
    };
  }, [query, dataset, datasetReady]);
  // One test image per class of what the model learned, to pick for Feature maps and Draw: from the run's own
  // data once there is a run (own files may have been replaced since), else from the chosen dataset.
  const sampleSource = runId ?? modelDataset;
  const [testSampleReply, setTestSamples] = useState<Tagged<Thumb[], number | DatasetName> | null>(null);
  // Asked at Train, usually before the worker has the run's model ("starting"): until an answer comes, asked
  // again at each progress point, which the worker sends once the model exists.
  const askTestSamplesAgain = testSampleReply?.runId === sampleSource ? 0 : progress;
  useEffect(() => {
    if (runId === null && !modelDatasetReady) return;
    let live = true;
    const asked = runId === null
      ? query({ type: 'samples', dataset: modelDataset, split: 'test', perClass: 1 })
      : query({ type: 'run-samples', runId, split: 'test', perClass: 1 });
    void asked.then((reply) => {
      if (live && reply.type === 'images') setTestSamples({ runId: runId ?? modelDataset, reply: thumbs(reply) });
    });
    return () => {
      live = false;
    };
  }, [query, runId, modelDataset, modelDatasetReady, askTestSamplesAgain]);
  const testSamples = useMemo(() => current(testSampleReply, sampleSource) ?? [], [testSampleReply, sampleSource]);
  const classNames = DATASET_INFO[modelDataset].classNames;

  // ---- A confusion cell's images ----
  const [cell, setCell] = useState<Cell | null>(null);
  const [cellReply, setCellReply] = useState<(Tagged<Reply<ImagesReply>> & { cell: Cell }) | null>(null);
  const askCell = useCallback((args: Cell & { runId: number }) => query({ type: 'cell', ...args, limit: CELL_LIMIT }), [query]);
  const deliverCell = useCallback((reply: QueryReply, args: Cell & { runId: number }) => {
    const { runId: id, ...asked } = args;
    setCellReply({ runId: id, reply: reply as Reply<ImagesReply>, cell: asked });
  }, []);
  const cells = useCoalescer(askCell, deliverCell);
  useEffect(() => {
    if (runId === null || cell === null || epochs === 0) return;
    cells.current?.request({ ...cell, runId });
  }, [cells, runId, cell, epochs]);

  // ---- Mistakes ----
  const [filter, setFilter] = useState<MistakeFilter>({ trueClass: null, predictedClass: null });
  const [mistakes, setMistakes] = useState<Tagged<Reply<ImagesReply>> | null>(null);
  const askMistakes = useCallback((args: MistakeFilter & { runId: number }) => query({ type: 'mistakes', ...args, limit: MISTAKES_LIMIT }), [query]);
  const deliverMistakes = useCallback((reply: QueryReply, args: { runId: number }) => {
    setMistakes({ runId: args.runId, reply: reply as Reply<ImagesReply> });
  }, []);
  const mistakeAsker = useCoalescer(askMistakes, deliverMistakes);
  useEffect(() => {
    if (runId === null || epochs === 0) return;
    mistakeAsker.current?.request({ ...filter, runId });
  }, [mistakeAsker, runId, filter, epochs]);

  // ---- Feature maps: one or two images ----
  const [chosen, setChosen] = useState<[ImageChoice | null, ImageChoice | null]>([null, null]);
  const [maps, setMaps] = useState<Tagged<[Reply<ActivationsReply>, Reply<ActivationsReply>]> | null>(null);
  const [pickTarget, setPickTarget] = useState<PickTarget>('first');
  const [scaleMode, setScaleMode] = useState<ScaleMode>('layer');
  const askMaps = useCallback(async (args: { runId: number; images: [ImageChoice | null, ImageChoice | null] }) => {
    const ask = (choice: ImageChoice | null) => (choice ? query({ type: 'activations', runId: args.runId, image: choice.source }) : null);
    return Promise.all([ask(args.images[0]), ask(args.images[1])]);
  }, [query]);
  const deliverMaps = useCallback((replies: [Reply<ActivationsReply>, Reply<ActivationsReply>], args: { runId: number }) => {
    setMaps({ runId: args.runId, reply: replies });
  }, []);
  const mapAsker = useCoalescer(askMaps, deliverMaps, LIVE_INTERVAL_MS);
  // The book's pullover is shown until the learner picks an image.
  const pullover = useMemo(() => {
    const thumb = firstOfClass(testSamples, BOOK_PAIR.pullover);
    return thumb ? choiceOf(classNames, thumb) : null;
  }, [testSamples, classNames]);
  const shown = useMemo((): [ImageChoice | null, ImageChoice | null] => [chosen[0] ?? pullover, chosen[1]], [chosen, pullover]);
  useEffect(() => {
    if (runId === null) return;
    mapAsker.current?.request({ runId, images: shown });
  }, [mapAsker, runId, shown, progress]);

  const pick = useCallback((choice: ImageChoice) => {
    setChosen((current) => (pickTarget === 'first' ? [choice, current[1]] : [current[0], choice]));
  }, [pickTarget]);
  // The book's pullover and coat: only a model that learned clothes has them.
  const compareBookPair = useMemo(() => (modelDataset !== 'fashion' ? null : () => {
    const pullover = firstOfClass(testSamples, BOOK_PAIR.pullover);
    const coat = firstOfClass(testSamples, BOOK_PAIR.coat);
    if (pullover && coat) setChosen([choiceOf(classNames, pullover), choiceOf(classNames, coat)]);
  }), [modelDataset, testSamples, classNames]);
  const clearSecond = useCallback(() => {
    setChosen((current) => [current[0], null]);
    setPickTarget('first');
  }, []);

  // ---- Draw ----
  const [drawing, setDrawing] = useState<Float32Array>(emptyDrawing);
  const [prediction, setPrediction] = useState<Tagged<Reply<PredictReply>> | null>(null);
  const askPrediction = useCallback((args: { runId: number; pixels: Float32Array }) =>
    query({ type: 'predict', runId: args.runId, image: { kind: 'drawing', pixels: args.pixels.slice() } }), [query]);
  const deliverPrediction = useCallback((reply: QueryReply, args: { runId: number }) => {
    setPrediction({ runId: args.runId, reply: reply as Reply<PredictReply> });
  }, []);
  const predictor = useCoalescer(askPrediction, deliverPrediction, DRAW_INTERVAL_MS);
  // Asked again when the pen moves, and when the model has changed: each time the feature maps come back
  // (at most once a second while training), not at every progress point.
  useEffect(() => {
    if (runId === null) return;
    predictor.current?.request({ runId, pixels: drawing });
  }, [predictor, runId, drawing, maps]);
  const pickTestImage = useCallback((index: number) => {
    const thumb = testSamples.find((t) => t.index === index);
    if (thumb) setDrawing(fromBytes(thumb.pixels));
  }, [testSamples]);
  /**
   * An image of the Dataset view. When the model learned another dataset, its
   * index would name another image there: the pixels go as they are.
   */
  const pickDatasetImage = useCallback((thumb: Thumb) => {
    if (dataset === modelDataset) {
      pick(choiceOf(classNames, thumb));
      return;
    }
    const title = `${imageTitle(DATASET_INFO[dataset].classNames, thumb)}, ${DATASET_INFO[dataset].label}`;
    pick({ source: { kind: 'drawing', pixels: fromBytes(thumb.pixels) }, title, pixels: thumb.pixels });
  }, [pick, dataset, modelDataset, classNames]);
  const showDrawing = useCallback(() => {
    pick({ source: { kind: 'drawing', pixels: drawing }, title: 'Your drawing', pixels: drawing });
  }, [pick, drawing]);

  const noModel = runId === null ? TRAIN_FIRST : null;
  return {
    samples: current(samples, dataset),
    /** Class names of what the model learned. */
    classNames,
    /** What the Draw view asks for. */
    drawSubject: DATASET_INFO[modelDataset].drawSubject,
    testSamples,
    cell: {
      selected: cell,
      select: setCell,
      // Until the chosen cell's answer comes, nothing (not the previous cell's images).
      reply: cell && cellReply && cellReply.cell.trueClass === cell.trueClass && cellReply.cell.predictedClass === cell.predictedClass
        ? current(cellReply, runId) : null,
    },
    mistakes: { filter, setFilter, reply: current(mistakes, runId) },
    featureMaps: {
      chosen: shown, maps: current(maps, runId) ?? [null, null], pickTarget, setPickTarget, pick, pickDatasetImage, compareBookPair, clearSecond,
      scaleMode, setScaleMode,
    },
    draw: {
      pixels: drawing, setPixels: setDrawing, clear: () => setDrawing(emptyDrawing()), pickTestImage, showDrawing,
      prediction: current(prediction, runId),
    },
    noModel,
  };
}

export type Inspector = ReturnType<typeof useInspector>;
