/**
 * The book's exercise 4: "Display the activations of the first and second
 * layer of LeNet for different inputs (e.g., sweaters, coats)". Each layer is
 * a row and each image a cell in it, so the same layer of two images sits
 * side by side, on the same colour scale, where the difference is easy to see.
 */
import { useId, useMemo } from 'react';
import type { ActivationsReply } from '../../../worker/protocol';
import { buildRows, type Row } from '../../inspect/featureRows';
import { formatValue } from '../../format';
import { inputRange, mapPixelSize, type ScaleMode } from '../../inspect/scale';
import { ColorLegend, Heatmap } from './Heatmap';
import './inspect-visual.css';

export interface FeatureMapsColumn {
  /** e.g. "Pullover (test image 12)" or "Your drawing". */
  title: string;
  /** The input image: 784 bytes 0…255, or 784 floats 0…1 for a drawing. */
  image: Uint8Array | Float32Array;
  activations: ActivationsReply | null;
  /** Why there are no activations (e.g. "Train to see the feature maps", a lost model), or null. */
  message: string | null;
}

export interface FeatureMapsViewProps {
  /** One column, or two when comparing; empty before any image is chosen. Only the first two are shown. */
  columns: FeatureMapsColumn[];
  scaleMode: ScaleMode;
  onScaleModeChange(mode: ScaleMode): void;
  /** Which column a click on an image elsewhere on the page fills. */
  pickTarget: 'first' | 'second';
  onPickTargetChange(target: 'first' | 'second'): void;
  /** The book's pair in one click: a Pullover and a Coat side by side; null when the model learned no clothes. */
  onCompareBookPair: (() => void) | null;
  onClearSecond(): void;
}

const HELP =
  'Pick an image in Dataset, the confusion matrix, Mistakes or Draw; each layer then shows one small map per ' +
  'channel: where in the image that channel responds, yellow for strongly, dark purple for least.';
const EMPTY_HELP =
  'Pick an image in Dataset, the confusion matrix, Mistakes or Draw, and its feature maps appear here: one small ' +
  'map per channel of each layer. Or compare a Pullover with a Coat, as the book’s exercise does.';

const INPUT_PIXEL_SIZE = 4;

/** The section heading's id: the page scrolls to it when an image is picked elsewhere. */
export const FEATURE_MAPS_TITLE_ID = 'feature-maps-title';

/** The rows of up to two columns' replies, rebuilt only when a reply or the mode changes. */
function useRows(first: ActivationsReply | null, second: ActivationsReply | null, count: number, mode: ScaleMode): Row[] {
  return useMemo(() => buildRows([first, second].slice(0, count), mode), [first, second, count, mode]);
}

/** Activations a column can show: none while it has a message. */
const shown = (column: FeatureMapsColumn) => (column.message === null ? column.activations : null);

/** The "Feature maps" section: chosen images, each layer's channels, and the first layer's kernels. */
export function FeatureMapsView({
  columns, scaleMode, onScaleModeChange, pickTarget, onPickTargetChange, onCompareBookPair, onClearSecond,
}: FeatureMapsViewProps) {
  const id = useId();
  const visible = columns.slice(0, 2);
  // Keyed on the replies, not on `columns`, so a parent re-render (a drawing
  // stroke, say) repaints no map whose numbers did not change.
  const first = visible.length > 0 ? shown(visible[0]) : null;
  const second = visible.length > 1 ? shown(visible[1]) : null;
  const count = visible.length;
  const rows = useRows(first, second, count, scaleMode);
  const two = count > 1;

  return (
    <section className="panel fm inspect-wide" aria-labelledby={FEATURE_MAPS_TITLE_ID}>
      <h2 id={FEATURE_MAPS_TITLE_ID}>Feature maps</h2>
      <p className="panel-help">{columns.length === 0 ? EMPTY_HELP : HELP}</p>

      <div className="fm-toolbar">
        <div className="fm-buttons">
          {onCompareBookPair && <button type="button" onClick={onCompareBookPair}>Compare a Pullover with a Coat</button>}
          {two && <button type="button" onClick={onClearSecond}>Remove the second image</button>}
        </div>
        <fieldset className="fm-pick">
          <legend>Clicking an image shows it as</legend>
          <div className="fm-radios">
            <label>
              <input
                type="radio" name={`${id}-pick`} value="first"
                checked={pickTarget === 'first'} onChange={() => onPickTargetChange('first')}
              />
              First image
            </label>
            <label>
              <input
                type="radio" name={`${id}-pick`} value="second"
                checked={pickTarget === 'second'} onChange={() => onPickTargetChange('second')}
              />
              Second image (compare)
            </label>
          </div>
        </fieldset>
        <div className="field fm-scale">
          <label htmlFor={`${id}-scale`}>Colour scale</label>
          <select id={`${id}-scale`} value={scaleMode} onChange={(event) => onScaleModeChange(event.target.value as ScaleMode)}>
            <option value="layer">One per layer</option>
            <option value="channel">One per channel</option>
          </select>
        </div>
        <ColorLegend range={null} colormap="viridis" label="Feature map colours" />
      </div>

      {columns.length > 0 && (
        <div className={two ? 'fm-board fm-two' : 'fm-board'}>
          <div className="fm-cells fm-inputs">
            {visible.map((column, c) => (
              <div className="fm-cell" key={c}>
                <h3 className="fm-column-title">{column.title}</h3>
                <Heatmap
                  values={column.image} width={28} height={28} range={inputRange(column.image)}
                  colormap="gray" label={column.title} pixelSize={INPUT_PIXEL_SIZE}
                />
                {column.message !== null ? (
                  <p className="fm-message" role="status">{column.message}</p>
                ) : column.activations === null ? (
                  <p className="fm-message" role="status">Working out the feature maps…</p>
                ) : null}
              </div>
            ))}
          </div>

          {rows.map((row) => (
            <div className="fm-row" key={row.key}>
              <div className="fm-row-head">
                <h3>{row.heading}</h3>
                {row.legend ? (
                  <ColorLegend
                    range={row.legend} colormap="viridis"
                    label={`${row.name} colour scale${row.shared ? ', shared by both images' : ''}`}
                  />
                ) : (
                  <span className="fm-scale-note">Each channel on its own scale{row.shared ? ', shared by both images' : ''}</span>
                )}
              </div>
              {row.key === 'kernels' && (
                <p className="fm-note">
                  The weights each first-layer channel slides over the image: yellow adds, dark purple subtracts, the
                  middle (teal) is zero.
                </p>
              )}
              <div className="fm-cells">
                {row.cells.map((cell, c) => (
                  <div className="fm-cell" key={c}>
                    {cell && (
                      <>
                        {two && <p className="fm-cell-title">{visible[c].title}</p>}
                        <p className="visually-hidden">
                          {row.name} values from {formatValue(cell.own[0])} to {formatValue(cell.own[1])}.
                        </p>
                        <div className="fm-maps">
                          {cell.channels.map((channel, i) => (
                            <Heatmap
                              key={i} values={channel.values} width={row.width} height={row.height}
                              range={channel.range} colormap="viridis" label={row.label(i)}
                              pixelSize={mapPixelSize(row.width)}
                            />
                          ))}
                        </div>
                      </>
                    )}
                  </div>
                ))}
              </div>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
