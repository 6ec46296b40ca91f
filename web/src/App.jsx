import { useCallback, useEffect, useRef, useState } from 'react';
import { Editor } from './Editor.jsx';
import { PlanTree, ResultGrid, Summary } from './Results.jsx';
import { History, TableList } from './Sidebar.jsx';
import { Session } from './session.js';
import { statementAt } from './sql.js';
import { defaultStorage, storageById, storages } from './storages.js';
import { describeError, formatBytes } from './values.js';

const defaultName = 'playground.db';
const historyLimit = 100;
const starter = `-- Ctrl+Enter runs everything; Explain shows the plan of the statement at the caret.
CREATE TABLE IF NOT EXISTS notes(id INTEGER PRIMARY KEY, body TEXT, score REAL, data BLOB);
INSERT INTO notes(body, score, data) VALUES ('hello', 4.5, x'c0ffee'), ('', NULL, NULL);
SELECT * FROM notes;
`;

// What the page remembers in localStorage, by key.
const remembered = {
  get: (key, fallback) => {
    try {
      return JSON.parse(localStorage.getItem(`playground.${key}`)) ?? fallback;
    } catch {
      return fallback;
    }
  },
  set: (key, value) => localStorage.setItem(`playground.${key}`, JSON.stringify(value)),
};

// Which database of a storage is open, and which it has: in localStorage for a storage that
// persists; for one that does not (memory), this tab's alone, gone with it.
const tabOnly = new Map(); // storage id → { name, names }

const lastName = (storage) => (storage.persistent
  ? remembered.get(`db.${storage.id}`, defaultName)
  : tabOnly.get(storage.id)?.name ?? defaultName);

function knownNames(storage, current) {
  const list = storage.persistent ? remembered.get(`dbs.${storage.id}`, []) : tabOnly.get(storage.id)?.names ?? [];
  return list.includes(current) ? list : [...list, current];
}

function noteDatabase(storage, name, { open = false } = {}) {
  const names = knownNames(storage, name);
  if (storage.persistent) {
    remembered.set(`dbs.${storage.id}`, names);
    if (open) remembered.set(`db.${storage.id}`, name);
  } else {
    tabOnly.set(storage.id, { name: open ? name : lastName(storage), names });
  }
}

// Tabs of the playground tell each other when a database changed, so their lists follow.
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('sqlite-playground') : null;

export function App() {
  const [storage, setStorage] = useState(() => defaultStorage(remembered.get('storage')));
  const [name, setName] = useState(() => lastName(storage));
  const [names, setNames] = useState(() => knownNames(storage, name));
  const [session, setSession] = useState(null);
  const [opening, setOpening] = useState(null); // an error when the database could not be opened
  const [sql, setSql] = useState(() => remembered.get('sql', starter));
  const [tables, setTables] = useState([]);
  const [history, setHistory] = useState(() => remembered.get('history', []));
  const [outcome, setOutcome] = useState(null); // { run } | { error } | { plan }
  const [notice, setNotice] = useState(null); // { tone: 'info' | 'warn' | 'error', text }
  const [running, setRunning] = useState(null); // { started, token } while a call runs
  const [elapsed, setElapsed] = useState(0);
  const textarea = useRef(null);
  const fileInput = useRef(null);

  useEffect(() => remembered.set('sql', sql), [sql]);
  useEffect(() => remembered.set('history', history), [history]);

  // Opens the chosen database; the one before closes.
  useEffect(() => {
    let live = true;
    let opened = null;
    setSession(null);
    setOpening(null);
    setTables([]);
    Session.open(storage, name).then(
      (s) => {
        opened = s;
        if (!live) return s.close();
        setSession(s);
        remembered.set('storage', storage.id);
        noteDatabase(storage, name, { open: true });
        setNames(knownNames(storage, name));
      },
      (e) => live && setOpening(e),
    );
    return () => {
      live = false;
      opened?.close().catch(() => {});
    };
  }, [storage, name]);

  const refreshTables = useCallback(async (s = session) => {
    if (!s) return;
    try {
      setTables(await s.tables());
    } catch {
      // A database another tab is busy with: the list stays as it was.
    }
  }, [session]);

  useEffect(() => {
    if (session) refreshTables(session);
  }, [session, refreshTables]);

  // Another tab changed a database of this storage: follow its tables and names.
  useEffect(() => {
    if (!channel) return undefined;
    const onMessage = ({ data }) => {
      if (data?.storage !== storage.id || !storage.shared) return;
      setNames(knownNames(storage, name));
      if (data.name === name && !running) refreshTables();
    };
    channel.addEventListener('message', onMessage);
    return () => channel.removeEventListener('message', onMessage);
  }, [storage, name, running, refreshTables]);

  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(() => setElapsed(performance.now() - running.started), 100);
    return () => clearInterval(timer);
  }, [running]);

  const announce = () => channel?.postMessage({ storage: storage.id, name });

  const remember = (text, ok) => {
    setHistory((list) => [{ sql: text, ok, at: Date.now() }, ...list.filter((e) => e.sql !== text)].slice(0, historyLimit));
  };

  // Runs `work` on the session while showing that it runs; a cancelled call's end is ignored.
  const busy = async (work) => {
    if (!session || running) return;
    const token = { cancelled: false };
    setElapsed(0);
    setRunning({ started: performance.now(), token });
    setNotice(null);
    try {
      await work(token);
    } finally {
      if (!token.cancelled) setRunning(null);
    }
  };

  const run = () => busy(async (token) => {
    const text = sql;
    if (!text.trim()) return;
    try {
      const result = await session.run(text);
      if (token.cancelled) return;
      setOutcome({ run: result });
      remember(text, true);
    } catch (error) {
      if (token.cancelled) return;
      // The statements before the failing one ran: their rows, if any, stay in view.
      const before = error.results?.length ? { results: error.results, statements: error.statements, ms: null } : null;
      setOutcome({ error, run: before });
      remember(text, false);
    }
    await refreshTables();
    announce();
  });

  const explain = () => busy(async (token) => {
    const statement = statementAt(sql, textarea.current?.selectionStart ?? sql.length);
    if (!statement) return;
    try {
      const rows = await session.plan(statement.sql.replace(/;\s*$/, ''));
      if (!token.cancelled) setOutcome({ plan: rows, statement });
    } catch (error) {
      if (!token.cancelled) setOutcome({ error: Object.assign(error, { statement }) });
    }
  });

  const cancel = async () => {
    if (!running) return;
    running.token.cancelled = true;
    setNotice({ tone: 'info', text: 'Stopping the query…' });
    try {
      const { restarted, lost } = await session.cancel();
      setNotice(restarted ? {
        tone: 'warn',
        text: `Query cancelled: its database Worker was stopped and ${name} opened again in a new one. ${lost
          ? `${storage.label} storage lives in that Worker, so the data is lost and the database is empty.`
          : 'What was committed is kept; whatever was not yet committed was rolled back.'}`,
      } : {
        tone: 'info',
        text: `Query interrupted (SQLITE_INTERRUPT); ${name} stays open, with what was committed.`,
      });
    } catch (e) {
      setNotice({ tone: 'error', text: `Query cancelled, but ${name} could not be opened again: ${e.message}` });
    } finally {
      setRunning(null);
      setOutcome(null);
      refreshTables();
    }
  };

  const chooseStorage = (id) => {
    const next = storageById(id);
    if (!next || next === storage) return;
    const nextName = lastName(next);
    setStorage(next);
    setName(nextName);
    setNames(knownNames(next, nextName));
    setOutcome(null);
    setNotice(null);
  };

  const chooseDatabase = (next) => {
    if (next === name) return;
    setName(next);
    setOutcome(null);
    setNotice(null);
  };

  const importFile = (file) => busy(async () => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      const imported = await session.importImage(bytes, file.name);
      noteDatabase(storage, imported);
      setNames(knownNames(storage, imported));
      channel?.postMessage({ storage: storage.id, name: imported });
      setNotice({ tone: 'info', text: `Imported ${file.name} (${formatBytes(bytes.length)}) as ${imported}, now open.` });
      setOutcome(null);
      setName(imported);
    } catch (error) {
      const { message, code } = describeError(error);
      setNotice({
        tone: 'error',
        text: `${file.name} is not a database SQLite can read: ${message}${code ? ` (${code})` : ''}. ${name} stays open, unchanged.`,
      });
    }
  });

  const exportFile = () => busy(async () => {
    const bytes = await session.serialize();
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/vnd.sqlite3' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    setNotice({ tone: 'info', text: `Exported ${name} (${formatBytes(bytes.length)}).` });
  });

  const pickTable = (t) => {
    setSql(`SELECT * FROM "${t.name.replaceAll('"', '""')}" LIMIT 100;`);
    textarea.current?.focus();
  };

  const ready = session && !running;
  return (
    <div className="app">
      <header className="topbar">
        <h1>SQLite playground</h1>
        <div className="controls">
          <label>
            Storage
            <select value={storage.id} onChange={(e) => chooseStorage(e.target.value)} disabled={!!running} data-testid="storage">
              {storages.filter((s) => s.available()).map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
            </select>
          </label>
          <label>
            Database
            <select value={name} onChange={(e) => chooseDatabase(e.target.value)} disabled={!!running} data-testid="database">
              {(names.includes(name) ? names : [...names, name]).map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </label>
          <button type="button" onClick={() => fileInput.current.click()} disabled={!ready}>Import…</button>
          <input ref={fileInput} type="file" hidden data-testid="import" accept=".db,.sqlite,.sqlite3,.db3,application/vnd.sqlite3,application/x-sqlite3"
            onChange={(e) => { const f = e.target.files[0]; e.target.value = ''; if (f) importFile(f); }} />
          <button type="button" onClick={exportFile} disabled={!ready}>Export</button>
        </div>
      </header>
      <p className="storage-note">{storage.note}</p>
      <div className="body">
        <aside className="sidebar">
          <TableList tables={tables} onPick={pickTable} />
          <History entries={history} onPick={(text) => { setSql(text); textarea.current?.focus(); }} onClear={() => setHistory([])} />
        </aside>
        <main className="main">
          <Editor value={sql} onChange={setSql} onRun={run} textareaRef={textarea} />
          <div className="toolbar">
            <button type="button" className="primary" onClick={run} disabled={!ready} data-testid="run">Run</button>
            <button type="button" onClick={explain} disabled={!ready}>Explain</button>
            <span className="hint">Ctrl+Enter</span>
            <span className="status" data-testid="status">
              {!session && !opening && 'Opening…'}
              {running && `Running… ${(elapsed / 1000).toFixed(1)} s`}
            </span>
            {running && <button type="button" onClick={cancel} data-testid="cancel">Cancel</button>}
          </div>
          {opening && <Message tone="error" testid="open-error">{`${name} could not be opened: ${opening.message}`}</Message>}
          {notice && <Message tone={notice.tone} testid="notice">{notice.text}</Message>}
          {outcome?.error && <ErrorMessage error={outcome.error} />}
          {outcome?.run && <Summary run={outcome.run} />}
          {outcome?.run?.results.findLast((r) => r.rows) && (
            <ResultGrid key={outcome.run.ms + outcome.run.results.length} result={outcome.run.results.findLast((r) => r.rows)} />
          )}
          {outcome?.plan && <PlanTree rows={outcome.plan} />}
        </main>
      </div>
    </div>
  );
}

function Message({ tone, testid, children }) {
  return <div className={`message ${tone}`} role={tone === 'error' ? 'alert' : 'status'} data-testid={testid}>{children}</div>;
}

function ErrorMessage({ error }) {
  const { message, code } = describeError(error);
  const where = error.statement ? `Statement ${error.statement.index + 1}, line ${error.statement.line}` : null;
  return (
    <div className="message error" role="alert" data-testid="error">
      <div className="error-head">
        <span className="error-message">{message}</span>
        {code && <code className="error-code">{code}</code>}
      </div>
      {where && <div className="error-where">{where}: <code>{error.statement.sql.replace(/\s+/g, ' ').slice(0, 120)}</code></div>}
    </div>
  );
}
