// What a run shows: the rows of its last statement that returned any (a grid, paged), a query
// plan as a tree, and a line saying what ran.
import { useRef, useState } from 'react';
import { columnTypes, showValue } from './values.js';
import { rowLimit } from './session.js';

export const pageSize = 100;

const plural = (n, one, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function Summary({ run }) {
  const changes = run.results.reduce((sum, r) => sum + (r.changes ?? 0), 0);
  const last = run.results.findLast((r) => r.rows);
  const parts = [run.ms === null ? `${run.results.length} of ${plural(run.statements, 'statement')} ran` : plural(run.statements, 'statement')];
  if (run.results.some((r) => r.changes !== undefined)) parts.push(`${plural(changes, 'row')} changed`);
  if (last) parts.push(last.more ? `first ${plural(last.rows.length, 'row')} returned` : `${plural(last.rows.length, 'row')} returned`);
  if (run.ms !== null) parts.push(`${run.ms < 10 ? run.ms.toFixed(1) : Math.round(run.ms)} ms`);
  return <p className="summary" data-testid="summary">{parts.join(' · ')}</p>;
}

/** A plan as EXPLAIN QUERY PLAN gives it: rows of (id, parent, detail). */
export function PlanTree({ rows }) {
  const children = new Map();
  for (const row of rows) {
    const parent = Number(row.parent);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(row);
  }
  const branch = (parent) => {
    const list = children.get(parent);
    if (!list) return null;
    return (
      <ul>
        {list.map((row) => (
          <li key={String(row.id)}>
            <span className="plan-detail">{row.detail}</span>
            {branch(Number(row.id))}
          </li>
        ))}
      </ul>
    );
  };
  return (
    <div className="plan" data-testid="plan">
      <h2 className="section-title">Query plan</h2>
      {rows.length ? branch(0) : <p className="muted">This statement has no plan.</p>}
    </div>
  );
}

const isPlan = (columns) => columns.map((c) => c.name).join() === 'id,parent,notused,detail';

export function ResultGrid({ result }) {
  const [page, setPage] = useState(0);
  const scroller = useRef(null);
  const { columns, rows, more } = result;
  if (isPlan(columns)) {
    return <PlanTree rows={rows.map(([id, parent, , detail]) => ({ id, parent, detail }))} />;
  }
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const first = page * pageSize;
  const shown = rows.slice(first, first + pageSize);
  const turn = (to) => {
    setPage(to);
    scroller.current?.scrollTo({ top: 0 }); // a new page starts at its first row
  };
  return (
    <div className="result">
      <div className="grid-scroll" ref={scroller}>
        <table className="grid" data-testid="grid">
          <thead>
            <tr>
              <th className="rownum" aria-label="row" />
              {columns.map((c, i) => (
                <th key={i}>
                  <span className="col-name">{c.name}</span>
                  <span className="col-types">
                    {[c.type, columnTypes(rows, i).join(' · ')].filter(Boolean).join(' — ')}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row, r) => (
              <tr key={first + r}>
                <td className="rownum">{first + r + 1}</td>
                {row.map((value, i) => {
                  const { type, text, title } = showValue(value);
                  return (
                    <td key={i} className={`v-${type}`} title={title} data-type={type}>
                      {text}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="muted empty-result">No rows.</p>}
      </div>
      {(pages > 1 || more) && (
        <div className="pager" data-testid="pager">
          <button type="button" onClick={() => turn(page - 1)} disabled={page === 0}>Previous</button>
          <span>
            Rows {(first + 1).toLocaleString('en-US')}–{Math.min(first + pageSize, rows.length).toLocaleString('en-US')} of{' '}
            {rows.length.toLocaleString('en-US')}
            {more ? ` (the first ${rowLimit.toLocaleString('en-US')}; the query has more)` : ''}
          </span>
          <button type="button" onClick={() => turn(page + 1)} disabled={page >= pages - 1}>Next</button>
        </div>
      )}
    </div>
  );
}
