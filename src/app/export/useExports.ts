/**
 * What a learner can take away from a run: its metrics as CSV (from the
 * page's own state) and its model in tfjs's format (asked of the worker,
 * which keeps the model; also mid-run, as the weights are then).
 */
import { useCallback, useState } from 'react';
import { MODEL_FILE, WEIGHTS_FILE } from '../../core/model/modelFiles';
import type { EpochEvent } from '../../core/train/events';
import type { QueryFn } from '../inspect/useInspector';
import { downloadFile } from './download';
import { metricsCsv } from './metricsCsv';

export function useExports(query: QueryFn, runId: number | null, epochRows: EpochEvent[]) {
  /** What the last export did, or why it could not. */
  const [message, setMessage] = useState<string | null>(null);

  const exportMetrics = useCallback(() => {
    downloadFile('lenet-metrics.csv', metricsCsv(epochRows), 'text/csv');
    setMessage(`Saved lenet-metrics.csv (${epochRows.length} ${epochRows.length === 1 ? 'epoch' : 'epochs'}).`);
  }, [epochRows]);

  const exportModel = useCallback(async () => {
    if (runId === null) return;
    setMessage('Exporting the model…');
    const reply = await query({ type: 'export', runId });
    if (reply.type !== 'model-files') {
      setMessage(reply.message);
      return;
    }
    downloadFile(MODEL_FILE, reply.modelJson, 'application/json');
    downloadFile(WEIGHTS_FILE, reply.weights, 'application/octet-stream');
    setMessage(`Saved ${MODEL_FILE} and ${WEIGHTS_FILE}: load them with tf.loadLayersModel in any tfjs program.`);
  }, [query, runId]);

  return { exportMetrics, exportModel, message, canExportMetrics: epochRows.length > 0, canExportModel: runId !== null };
}

export type Exports = ReturnType<typeof useExports>;
