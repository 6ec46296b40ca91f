// The side panel: the database's tables and views with their columns, and the query history.
import { useState } from 'react';

export function TableList({ tables, onPick }) {
  const [open, setOpen] = useState(() => new Set());
  const toggle = (name) => {
    const next = new Set(open);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setOpen(next);
  };
  return (
    <section className="panel" data-testid="tables">
      <h2 className="section-title">Tables</h2>
      {tables.length === 0 && <p className="muted">No tables yet.</p>}
      <ul className="tables">
        {tables.map((t) => (
          <li key={t.name}>
            <button type="button" className="table-name" onClick={() => toggle(t.name)} onDoubleClick={() => onPick(t)}
              aria-expanded={open.has(t.name)} title="Click for columns, double-click to query">
              <span className="chevron">{open.has(t.name) ? '▾' : '▸'}</span>
              {t.name}
              {t.type === 'view' && <span className="tag">view</span>}
            </button>
            {open.has(t.name) && (
              <ul className="columns">
                {t.columns.map((c) => (
                  <li key={c.name}>
                    <span className="column-name">{c.name}</span>
                    <span className="column-type">
                      {[c.declared || 'any', c.pk && 'key', c.notnull && 'not null'].filter(Boolean).join(' · ')}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

// A script on one line, its comments left out.
const oneLine = (sql) => sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').replace(/\s+/g, ' ').trim() || sql.trim();

const time = (at) => new Date(at).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });

export function History({ entries, onPick, onClear }) {
  return (
    <section className="panel history" data-testid="history">
      <h2 className="section-title">
        History
        {entries.length > 0 && <button type="button" className="link" onClick={onClear}>Clear</button>}
      </h2>
      {entries.length === 0 && <p className="muted">Queries you run appear here.</p>}
      <ol>
        {entries.map((e) => (
          <li key={e.at}>
            <button type="button" onClick={() => onPick(e.sql)} title={e.sql} className={e.ok ? '' : 'failed'}>
              <span className="history-sql">{oneLine(e.sql)}</span>
              <span className="history-meta">{time(e.at)}{e.ok ? '' : ' · error'}</span>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
