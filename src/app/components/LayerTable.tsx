import { useMemo } from 'react';
import type { Config } from '../../core/config/params';
import { IMAGE_SIZE, layerTable, lenetLayers } from '../../core/model/architecture';
import { integer } from '../format';

export interface LayerTableProps {
  config: Config;
}


/** The network the current settings describe: output shape and parameter count per layer. */
export function LayerTable({ config }: LayerTableProps) {
  const table = useMemo(() => layerTable(lenetLayers(config)), [config]);
  return (
    <div className="panel table-panel">
      <div className="table-scroll">
        <table className="layers">
          <caption>Layers</caption>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Output shape</th>
              <th scope="col" className="num">Parameters</th>
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <tr key={row.name}>
                <th scope="row">
                  <span className="layer-name">{row.name}</span>{' '}
                  <span className="layer-description">{row.description}</span>
                </th>
                <td className="shape">{row.outputShape.join('×')}</td>
                <td className="num">{integer(row.parameters)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td />
              <td className="num">{integer(table.totalParameters)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="panel-help">
        Input: one 1×{IMAGE_SIZE}×{IMAGE_SIZE} grayscale image; shapes are channels first, as the book prints them.
      </p>
    </div>
  );
}
