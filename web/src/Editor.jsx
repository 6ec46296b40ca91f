// The SQL editor: a textarea over a highlighted copy of its text. The textarea keeps every
// editing behaviour of the browser; the copy underneath only paints the colours.
import { useMemo, useRef } from 'react';
import { tokenize } from './sql.js';

export function Editor({ value, onChange, onRun, textareaRef }) {
  const highlight = useRef(null);
  const tokens = useMemo(() => tokenize(value), [value]);

  const onKeyDown = (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      onRun();
    } else if (event.key === 'Tab' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      // Two spaces, as an editor would; Shift+Tab still leaves the editor.
      event.preventDefault();
      const t = event.currentTarget;
      const { selectionStart: from, selectionEnd: to } = t;
      onChange(value.slice(0, from) + '  ' + value.slice(to));
      requestAnimationFrame(() => t.setSelectionRange(from + 2, from + 2));
    }
  };
  const onScroll = (event) => {
    highlight.current.scrollTop = event.currentTarget.scrollTop;
    highlight.current.scrollLeft = event.currentTarget.scrollLeft;
  };

  return (
    <div className="editor">
      <pre className="editor-highlight" ref={highlight} aria-hidden="true">
        {tokens.map((t, i) => (
          <span key={i} className={`tok-${t.kind}`}>{t.text}</span>
        ))}
        {'\n'}
      </pre>
      <textarea
        ref={textareaRef}
        className="editor-input"
        value={value}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        aria-label="SQL"
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        onScroll={onScroll}
      />
    </div>
  );
}
