import type { EpochEvent } from '../../core/train/events';
import { integer, oneDigit, threeDigits } from '../format';

export interface EpochTableProps {
  rows: EpochEvent[];
}


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
                  <td>{threeDigits(row.trainLoss)}</td>
                  <td>{threeDigits(row.trainAccuracy)}</td>
                  <td>{threeDigits(row.testAccuracy)}</td>
                  <td>{oneDigit(row.seconds)}</td>
                  <td>{integer(row.imagesPerSecond)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
