import { useId, useRef, useState, type CSSProperties } from 'react';
import {
  CartesianGrid, Legend, Line, LineChart, ReferenceDot, ResponsiveContainer, Tooltip, XAxis, YAxis,
} from 'recharts';
import type { ChartPoint } from '../runState';
import { threeDigits } from '../format';
import { chartSvg, svgToPng, type LegendEntry } from '../export/chartImage';
import { downloadFile } from '../export/download';
import { BOOK_EPOCHS, BOOK_RESULTS, type ChartOverlay } from '../runs/overlays';

export interface TrainingChartProps {
  points: ChartPoint[];
  /** Epochs the run was asked for: the x axis spans them from the start. */
  plannedEpochs: number;
  /** True while a run is active (the empty chart then says the curves are coming). */
  running: boolean;
  /** Kept runs drawn behind the live one, each in its colour. */
  overlays: ChartOverlay[];
  /** Whether the book's printed final numbers show as marks at epoch 10. */
  bookMarks: boolean;
  onBookMarksChange(on: boolean): void;
}

/** Each framework's marks are labelled with its initial. */
const BOOK_MARK_LETTERS = BOOK_RESULTS.map((result) => result.framework[0]);


/** Whole-epoch ticks; at most about a dozen of them. */
function epochTicks(maxEpoch: number): number[] {
  const every = Math.max(1, Math.ceil(maxEpoch / 12));
  const ticks: number[] = [];
  for (let epoch = 0; epoch <= maxEpoch; epoch += every) ticks.push(epoch);
  if (ticks.at(-1) !== maxEpoch) ticks.push(maxEpoch);
  return ticks;
}

/** Loss axis: five equal steps from 0, so its grid lines meet the accuracy axis' 0, 0.2, …, 1. */
function lossTicks(points: ChartPoint[]): number[] {
  let maxLoss = 0;
  for (const point of points) {
    if (point.trainLoss !== undefined && Number.isFinite(point.trainLoss)) maxLoss = Math.max(maxLoss, point.trainLoss);
  }
  let step = 0.1;
  for (let scale = 0.1; step * 5 < maxLoss && scale < 1e12; scale *= 10) {
    step = [1, 2, 5, 10].map((m) => m * scale).find((s) => s * 5 >= maxLoss) ?? 10 * scale;
  }
  if (step < 0.5) step = 0.5; // an empty or calm chart still shows 0–2.5
  return [0, 1, 2, 3, 4, 5].map((i) => Math.round(i * step * 1e6) / 1e6);
}

function formatTooltipValue(value: unknown): string {
  return typeof value === 'number' ? threeDigits(value) : String(value);
}

function formatTooltipLabel(label: unknown): string {
  return typeof label === 'number' ? `Epoch ${label.toFixed(2)}` : String(label);
}

/**
 * The d2l book's figure: train loss, train accuracy (running means, plotted
 * within epochs) and test accuracy (at whole epochs) against epochs. Loss has
 * its own axis on the left since it starts near 2.3; accuracies share [0, 1]
 * on the right.
 */
export function TrainingChart({ points, plannedEpochs, running, overlays, bookMarks, onBookMarksChange }: TrainingChartProps) {
  const checkboxId = useId();
  const box = useRef<HTMLDivElement>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const save = async (format: 'svg' | 'png') => {
    const svg = box.current?.querySelector<SVGSVGElement>('svg.recharts-surface');
    if (!svg) return;
    const legend: LegendEntry[] = [
      { name: 'train loss (solid)', colour: 'var(--chart-loss)' },
      { name: 'train acc (dashed)', colour: 'var(--chart-train-acc)' },
      { name: 'test acc (dotted)', colour: 'var(--chart-test-acc)' },
      ...overlays.map((overlay) => ({ name: `${overlay.name}: loss, train acc, test acc`, colour: overlay.colour })),
    ];
    const text = chartSvg(svg, 'LeNet: loss and accuracy by epoch', legend);
    const name = `lenet-chart.${format}`;
    try {
      downloadFile(name, format === 'svg' ? text : await svgToPng(text), format === 'svg' ? 'image/svg+xml' : 'image/png');
      setSaved(`Saved ${name}.`);
    } catch (error) {
      setSaved(`The chart could not be saved: ${error instanceof Error ? error.message : String(error)}.`);
    }
  };
  const everyPoint = overlays.length ? [...points, ...overlays.flatMap((overlay) => overlay.points)] : points;
  const lastEpoch = everyPoint.reduce((last, point) => Math.max(last, Math.ceil(point.epoch)), 0);
  const maxEpoch = Math.max(1, plannedEpochs, lastEpoch, bookMarks ? BOOK_EPOCHS : 0);
  const empty = points.length === 0 && overlays.length === 0;
  const lossAxisTicks = lossTicks(everyPoint);
  return (
    <figure className="panel chart-figure">
      <figcaption>
        <strong>Loss and accuracy by epoch.</strong> Train loss and train accuracy are running means over
        each epoch while the weights change; test accuracy is measured after each epoch, as in the d2l book.
      </figcaption>
      <div
        className="chart-box" role="group" aria-label="Training curves" ref={box}
        style={{ '--legend-lines': overlays.length } as CSSProperties}
      >
        {empty && (
          <p className="chart-empty">
            {running ? 'The curves appear after the first training steps.' : 'Press Train to draw the curves.'}
          </p>
        )}
        <ResponsiveContainer width="100%" height="100%">
          <LineChart
            data={points}
            margin={{ top: 8, right: 4, bottom: 4, left: 4 }}
            title="Line chart of train loss, train accuracy and test accuracy against epoch"
          >
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              type="number"
              dataKey="epoch"
              domain={[0, maxEpoch]}
              ticks={epochTicks(maxEpoch)}
              allowDataOverflow
              label={{ value: 'Epoch', position: 'insideBottom', offset: -2 }}
              height={40}
            />
            <YAxis
              yAxisId="loss"
              domain={[0, lossAxisTicks[5]]}
              ticks={lossAxisTicks}
              allowDataOverflow
              tickFormatter={(value: number) => String(value)}
              label={{ value: 'Loss', angle: -90, position: 'insideLeft', offset: 12 }}
              width={44}
            />
            <YAxis
              yAxisId="accuracy"
              orientation="right"
              domain={[0, 1]}
              allowDataOverflow
              ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]}
              tickFormatter={(value: number) => value.toFixed(1)}
              label={{ value: 'Accuracy', angle: 90, position: 'insideRight', offset: 12 }}
              width={44}
            />
            <Tooltip
              formatter={formatTooltipValue}
              labelFormatter={formatTooltipLabel}
              contentStyle={{
                background: 'var(--surface)', border: '1px solid var(--border)', borderRadius: 6, color: 'var(--text)',
              }}
              labelStyle={{ color: 'var(--text)' }}
            />
            <Legend verticalAlign="top" itemSorter={null} />
            {/* Kept runs first, so the live run is drawn in front: loss solid, train acc dashed, test acc dotted. */}
            {overlays.flatMap((overlay) => [
              <Line
                key={`${overlay.id}-loss`} data={overlay.points} yAxisId="loss" name={overlay.name} dataKey="trainLoss"
                type="linear" stroke={overlay.colour} strokeWidth={1.5} dot={false} connectNulls legendType="plainline"
                isAnimationActive={false}
              />,
              <Line
                key={`${overlay.id}-train`} data={overlay.points} yAxisId="accuracy" name={`${overlay.name} train acc`}
                dataKey="trainAccuracy" type="linear" stroke={overlay.colour} strokeWidth={1.5} strokeDasharray="8 4"
                dot={false} connectNulls legendType="none" isAnimationActive={false}
              />,
              <Line
                key={`${overlay.id}-test`} data={overlay.points} yAxisId="accuracy" name={`${overlay.name} test acc`}
                dataKey="testAccuracy" type="linear" stroke={overlay.colour} strokeWidth={1.5} strokeDasharray="2 3 8 3"
                dot={{ r: 2, fill: overlay.colour }} connectNulls legendType="none" isAnimationActive={false}
              />,
            ])}
            {bookMarks && BOOK_RESULTS.flatMap((result, i) => ([
              ['loss', result.trainLoss, 'loss'], ['accuracy', result.trainAccuracy, 'train acc'], ['accuracy', result.testAccuracy, 'test acc'],
            ] as const).map(([axis, value, what]) => (
              <ReferenceDot
                key={`${result.framework}-${what}`} yAxisId={axis} x={BOOK_EPOCHS} y={value} r={5}
                fill="none" stroke="var(--text)" strokeWidth={1.5}
                label={{ value: BOOK_MARK_LETTERS[i], position: 'right', fontSize: 11, fill: 'var(--text)' }}
                ifOverflow="extendDomain" aria-label={`The book with ${result.framework}: ${what} ${threeDigits(value)}`}
              />
            )))}
            <Line
              yAxisId="loss"
              name="train loss"
              dataKey="trainLoss"
              type="linear"
              stroke="var(--chart-loss)"
              strokeWidth={2}
              dot={false}
              connectNulls
              legendType="plainline"
              isAnimationActive={false}
            />
            <Line
              yAxisId="accuracy"
              name="train acc"
              dataKey="trainAccuracy"
              type="linear"
              stroke="var(--chart-train-acc)"
              strokeWidth={2}
              strokeDasharray="8 4"
              dot={false}
              connectNulls
              legendType="plainline"
              isAnimationActive={false}
            />
            <Line
              yAxisId="accuracy"
              name="test acc"
              dataKey="testAccuracy"
              type="linear"
              stroke="var(--chart-test-acc)"
              strokeWidth={2}
              strokeDasharray="2 3 8 3"
              dot={{ r: 3, fill: 'var(--chart-test-acc)' }}
              connectNulls
              legendType="plainline"
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <div className="chart-options">
        <input id={checkboxId} type="checkbox" checked={bookMarks} onChange={(event) => onBookMarksChange(event.target.checked)} />
        <label htmlFor={checkboxId}>Show the book’s final numbers</label>
        <span className="chart-exports">
          <button type="button" disabled={empty} onClick={() => void save('png')}>Export chart (PNG)</button>
          <button type="button" disabled={empty} onClick={() => void save('svg')}>Export chart (SVG)</button>
        </span>
        {saved && <p className="panel-help" role="status">{saved}</p>}
        {bookMarks && (
          <p className="panel-help">
            Marks at epoch {BOOK_EPOCHS}, the book’s LeNet (lr 0.9, batch 256) as printed: {BOOK_RESULTS.map((result, i) =>
              `${BOOK_MARK_LETTERS[i]}: ${result.framework} loss ${threeDigits(result.trainLoss)}, train acc ${threeDigits(result.trainAccuracy)}, test acc ${threeDigits(result.testAccuracy)}`).join('; ')}.
          </p>
        )}
      </div>
    </figure>
  );
}
