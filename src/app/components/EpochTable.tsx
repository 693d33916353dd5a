import type { EpochEvent } from '../../core/train/events';

export interface EpochTableProps {
  rows: EpochEvent[];
}

const three = new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
const one = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** One row per finished epoch, the numbers the book prints. */
export function EpochTable({ rows }: EpochTableProps) {
  return (
    <div className="panel table-panel">
      <div className="table-scroll">
        <table className="numbers">
          <caption>Epoch metrics</caption>
          <thead>
            <tr>
              <th scope="col">Epoch</th>
              <th scope="col">Train loss</th>
              <th scope="col">Train acc</th>
              <th scope="col">Test acc</th>
              <th scope="col">Seconds</th>
              <th scope="col">Images/s</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr className="empty-row">
                <td colSpan={6}>No epochs yet: each finished epoch adds a row here.</td>
              </tr>
            ) : (
              rows.map((row) => (
                <tr key={row.epoch} data-epoch={row.epoch}>
                  <th scope="row">{row.epoch}</th>
                  <td>{three.format(row.trainLoss)}</td>
                  <td>{three.format(row.trainAccuracy)}</td>
                  <td>{three.format(row.testAccuracy)}</td>
                  <td>{one.format(row.seconds)}</td>
                  <td>{integer.format(row.imagesPerSecond)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
