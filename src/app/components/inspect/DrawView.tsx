/**
 * Drawing an input by hand, with whatever pointer the visitor has: mouse,
 * finger or pen all arrive as Pointer Events. Keyboard and screen-reader
 * users start from a test image instead, and read the prediction as a table.
 */
import { useEffect, useId, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { IMAGE_SIZE } from '../../../core/model/architecture';
import { percent } from '../../format';
import { stroke, type Point } from '../../inspect/brush';
import { mostLikely, type ClassNames } from '../../inspect/views';
import { Heatmap } from './Heatmap';
import './inspect-visual.css';

export interface DrawViewProps {
  classNames: ClassNames;
  /** "a piece of clothing", "a digit": what the model learned to tell apart. */
  subject: string;
  /** 784 values 0…1: the current drawing. */
  pixels: Float32Array;
  onDrawingChange(next: Float32Array): void;
  onClear(): void;
  /** Test images a keyboard user can start from instead of drawing (one per class). */
  testImages: { index: number; label: string }[];
  onPickTestImage(index: number): void;
  /** The 10 probabilities from the current model, or null. */
  probabilities: Float32Array | null;
  /** Why there are none yet (e.g. "Train to see what the network thinks"), or null. */
  message: string | null;
  onShowInFeatureMaps(): void;
}

/** 8 CSS px per pixel: a 224 px pad, which fits a phone with room to spare. */
const PAD_PIXEL_SIZE = 8;

/** Where a pointer is on the pad, in pixel coordinates 0…28. */
function padPoint(event: { clientX: number; clientY: number }, pad: DOMRect): Point {
  return {
    x: ((event.clientX - pad.left) / pad.width) * IMAGE_SIZE,
    y: ((event.clientY - pad.top) / pad.height) * IMAGE_SIZE,
  };
}

/** The "Draw" section: a drawing pad and what the current model makes of the drawing. */
export function DrawView({
  classNames, subject, pixels, onDrawingChange, onClear, testImages, onPickTestImage, probabilities, message, onShowInFeatureMaps,
}: DrawViewProps) {
  const id = useId();
  // Several pointermoves can arrive before the new drawing comes back as a
  // prop, so strokes chain on the latest drawing, not on the prop.
  const latest = useRef(pixels);
  const last = useRef<Point | null>(null);
  const activePointer = useRef<number | null>(null);
  const [picked, setPicked] = useState('');
  useEffect(() => {
    latest.current = pixels;
  }, [pixels]);

  function drawTo(points: Point[]) {
    let next = latest.current;
    for (const point of points) {
      next = stroke(next, last.current ?? point, point);
      last.current = point;
    }
    latest.current = next;
    onDrawingChange(next);
  }

  function padRect(target: HTMLElement): DOMRect {
    return (target.querySelector('canvas') ?? target).getBoundingClientRect();
  }

  function onPointerDown(event: ReactPointerEvent<HTMLDivElement>) {
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    event.preventDefault();
    try {
      // Keeps the stroke going when the pointer leaves the pad mid-line.
      event.currentTarget.setPointerCapture(event.pointerId);
    } catch {
      // A synthetic event's pointer is not active and cannot be captured; drawing still works.
    }
    activePointer.current = event.pointerId;
    last.current = null;
    setPicked('');
    drawTo([padPoint(event, padRect(event.currentTarget))]);
  }

  function onPointerMove(event: ReactPointerEvent<HTMLDivElement>) {
    if (activePointer.current !== event.pointerId) return;
    const rect = padRect(event.currentTarget);
    const native = event.nativeEvent;
    const coalesced = typeof native.getCoalescedEvents === 'function' ? native.getCoalescedEvents() : [];
    drawTo((coalesced.length > 0 ? coalesced : [native]).map((e) => padPoint(e, rect)));
  }

  function onPointerEnd(event: ReactPointerEvent<HTMLDivElement>) {
    if (activePointer.current !== event.pointerId) return;
    activePointer.current = null;
    last.current = null;
  }

  const best = mostLikely(probabilities);
  return (
    <section className="panel draw" aria-labelledby="draw-title">
      <h2 id="draw-title">Draw</h2>
      <p className="panel-help">
        Draw {subject} in white on black, as the dataset’s images are, with a mouse, finger or pen, and see
        what the network makes of it. Or start from a test image and draw over it.
      </p>
      <div className="draw-layout">
        <div className="draw-input">
          <div
            className="draw-pad"
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerEnd}
            onPointerCancel={onPointerEnd}
            onLostPointerCapture={onPointerEnd}
          >
            <Heatmap
              values={pixels} width={IMAGE_SIZE} height={IMAGE_SIZE} range={[0, 1]} colormap="gray"
              label="Drawing pad, 28 by 28 pixels" pixelSize={PAD_PIXEL_SIZE}
            />
          </div>
          <div className="draw-buttons">
            <button type="button" onClick={() => { setPicked(''); onClear(); }}>Clear</button>
            <button type="button" onClick={onShowInFeatureMaps}>Show in Feature maps</button>
          </div>
          <div className="field draw-start">
            <label htmlFor={`${id}-start`}>Start from a test image</label>
            <select
              id={`${id}-start`}
              value={picked}
              disabled={testImages.length === 0}
              onChange={(event) => {
                setPicked(event.target.value);
                if (event.target.value !== '') onPickTestImage(Number(event.target.value));
              }}
            >
              <option value="">{testImages.length === 0 ? 'No test images yet' : 'Choose an image…'}</option>
              {testImages.map((image) => (
                <option key={image.index} value={String(image.index)}>{image.label}</option>
              ))}
            </select>
          </div>
        </div>

        <div className="draw-result">
          {best >= 0 && probabilities && (
            <p className="draw-verdict">
              Most likely: <strong>{classNames[best]} ({percent(probabilities[best])})</strong>
            </p>
          )}
          {message !== null && <p className="panel-help draw-message" role="status">{message}</p>}
          <div className="table-scroll">
            <table className="numbers draw-table">
              <caption>Prediction</caption>
              <thead>
                <tr>
                  <th scope="col">Class</th>
                  <th scope="col">Probability</th>
                </tr>
              </thead>
              <tbody>
                {classNames.map((name, label) => {
                  const p = probabilities ? probabilities[label] : null;
                  const top = label === best;
                  const width = p !== null && Number.isFinite(p) ? Math.min(1, Math.max(0, p)) * 100 : 0;
                  return (
                    <tr key={name} className={top ? 'draw-top' : undefined}>
                      <th scope="row">
                        {name}
                        {top && <span className="visually-hidden"> (most likely)</span>}
                      </th>
                      <td>
                        <span className="draw-probability">
                          <span className="draw-bar" aria-hidden="true">
                            <span style={{ width: `${width}%` }} />
                          </span>
                          {p === null ? (
                            <span>
                              <span aria-hidden="true">–</span>
                              <span className="visually-hidden">no value yet</span>
                            </span>
                          ) : (
                            <span className="draw-percent">{percent(p)}</span>
                          )}
                        </span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </section>
  );
}
