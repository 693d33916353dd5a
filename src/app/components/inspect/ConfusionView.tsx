import { rowFractions, type ConfusionMatrix } from '../../../core/inspect/confusion';
import type { ImagesReply, UnavailableReply } from '../../../worker/protocol';
import { percent, pointsChange } from '../../format';
import { viridis } from '../../inspect/colormap';
import type { Cell } from '../../inspect/useInspector';
import { cellTitle, classLabel, perClassRows, readableTextOn, type ClassNames, type Thumb } from '../../inspect/views';
import { ColorLegend } from './Heatmap';
import { ThumbnailGrid } from './Thumbnails';

export interface ConfusionViewProps {
  classNames: ClassNames;
  /** The latest epoch's matrix, and the one before it; null before the first epoch ends. */
  matrix: ConfusionMatrix | null;
  previous: ConfusionMatrix | null;
  selected: Cell | null;
  onSelect(cell: Cell): void;
  cellImages: ImagesReply | UnavailableReply | null;
  onPick(thumb: Thumb): void;
}

/** The test pass of the latest epoch as counts, shaded by row, with per-class accuracy and each cell's images. */
export function ConfusionView({ classNames, matrix, previous, selected, onSelect, cellImages, onPick }: ConfusionViewProps) {
  const classes = classNames.length;
  const fractions = matrix ? rowFractions(matrix) : null;
  const total = matrix ? matrix.reduce((sum, n) => sum + n, 0) : 0;
  return (
    <section className="panel inspect" aria-labelledby="confusion-title">
      <h2 id="confusion-title">Confusion matrix</h2>
      {!matrix || !fractions ? (
        <p className="panel-help" role="status">Train to see the confusion matrix: it appears after the first epoch, from that epoch’s test pass.</p>
      ) : (
        <>
          <p className="panel-help">
            Rows are the true class, columns what the model predicted, over the {total.toLocaleString('en-US')} test
            images used. A cell’s shade is its share of the row; the diagonal holds the right answers. Click a cell to see
            its images.
          </p>
          <div className="confusion-layout">
            <div>
              <div className="table-scroll">
                <table className="confusion">
                  {/* The section's heading already says it on screen. */}
                  <caption className="visually-hidden">Confusion matrix</caption>
                  <thead>
                    <tr>
                      <td className="corner">True ↓ Predicted →</td>
                      {classNames.map((name) => <th scope="col" key={name}><span className="vertical">{name}</span></th>)}
                    </tr>
                  </thead>
                  <tbody>
                    {classNames.map((name, row) => (
                      <tr key={name}>
                        <th scope="row">{name}</th>
                        {classNames.map((_, column) => {
                          const i = row * classes + column;
                          const colour = viridis(fractions[i]);
                          const isSelected = selected?.trueClass === row && selected.predictedClass === column;
                          return (
                            <td key={column} style={{ background: `rgb(${colour.join(' ')})`, color: readableTextOn(colour) }}>
                              <button
                                type="button"
                                className="cell"
                                aria-pressed={isSelected}
                                aria-label={`${matrix[i]}: ${cellTitle(classNames, row, column, matrix[i]).replace(/: .*$/, '')}, ${percent(fractions[i])} of ${name}`}
                                onClick={() => onSelect({ trueClass: row, predictedClass: column })}
                              >
                                {matrix[i]}
                              </button>
                            </td>
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="legend">
                Shade: a cell’s share of its row{' '}
                <ColorLegend range={[0, 1]} colormap="viridis" label="Cell shade" format={percent} />
              </p>
            </div>
            <PerClassTable classNames={classNames} matrix={matrix} previous={previous} />
          </div>
          <div className="cell-images">
            <h3>What a cell holds</h3>
            {!selected ? (
              <p className="panel-help">Click a cell to list its test images, most confident first.</p>
            ) : (
              <>
                <p className="cell-title" role="status">
                  {cellImages?.type === 'images'
                    ? cellTitle(classNames, selected.trueClass, selected.predictedClass, cellImages.total)
                    : `${classLabel(classNames, selected.trueClass)} predicted as ${classLabel(classNames, selected.predictedClass)}`}
                </p>
                <ThumbnailGrid reply={cellImages} classNames={classNames} waiting="Loading its images…" empty="This cell holds no images." onPick={onPick} />
              </>
            )}
          </div>
        </>
      )}
    </section>
  );
}

interface PerClassTableProps {
  classNames: ClassNames;
  matrix: ConfusionMatrix;
  previous: ConfusionMatrix | null;
}

function PerClassTable({ classNames, matrix, previous }: PerClassTableProps) {
  return (
    <div className="table-scroll">
      <table className="numbers per-class">
        <caption>Per-class accuracy</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col">Accuracy</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {perClassRows(classNames, matrix, previous).map((row) => (
            <tr key={row.name}>
              <th scope="row">{row.name}</th>
              <td>{percent(row.accuracy)}</td>
              <td className={row.change < 0 ? 'worse' : undefined}>{previous ? pointsChange(row.change) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
