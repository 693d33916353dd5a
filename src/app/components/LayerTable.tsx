import { IMAGE_SIZE, type LayerTable as Table } from '../../core/model/architecture';
import { integer } from '../format';

export interface LayerTableProps {
  table: Table;
}

/** The network the current settings describe: shape, parameters and multiply-adds per layer, and what cannot work. */
export function LayerTable({ table }: LayerTableProps) {
  return (
    <div className="table-panel">
      <div className="table-scroll">
        <table className="layers">
          <caption>Layers</caption>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Output shape</th>
              <th scope="col" className="num">Parameters</th>
              <th scope="col" className="num">Multiply-adds</th>
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <tr key={row.name} className={row.problem ? 'layer-problem' : undefined}>
                <th scope="row">
                  <span className="layer-name">{row.name}</span>{' '}
                  <span className="layer-description">{row.description}</span>
                  {row.problem && <span className="layer-problem-text"> Cannot work: {row.problem}.</span>}
                </th>
                <td className="shape">{row.outputShape ? row.outputShape.join('×') : '—'}</td>
                <td className="num">{row.outputShape ? integer(row.parameters) : '—'}</td>
                <td className="num">{row.outputShape ? integer(row.multiplyAdds) : '—'}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td />
              <td className="num">{integer(table.totalParameters)}</td>
              <td className="num">{integer(table.totalMultiplyAdds)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="panel-help">
        Input: one 1×{IMAGE_SIZE}×{IMAGE_SIZE} grayscale image; shapes are channels first, as the book prints them.
        Multiply-adds are per image, for the convolutions and dense layers.
      </p>
    </div>
  );
}
