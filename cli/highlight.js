// Colours on a terminal: SQL as it is typed (keywords, strings, numbers, comments,
// dot-commands) and error messages. Only when the stream is a terminal and NO_COLOR is unset
// (https://no-color.org): never in a pipe, a file or a test's captured output.
import { isKeyword } from './render.js';

const RESET = '\x1b[0m';
const STYLE = {
  keyword: '\x1b[1;34m', // bold blue
  string: '\x1b[32m', // green
  number: '\x1b[33m', // yellow
  comment: '\x1b[2m', // dim
  command: '\x1b[1;35m', // bold magenta
  error: '\x1b[31m', // red
  prompt: '\x1b[1;32m', // bold green
};

/** Whether `stream` may be given colours. */
export function colourful(stream, env = process.env) {
  return Boolean(stream?.isTTY) && !env.NO_COLOR;
}

/** `text` in the style `kind` (a key of STYLE). */
export const paint = (kind, text) => `${STYLE[kind]}${text}${RESET}`;

// Tokens of SQL as typed, unfinished ones included: [text, kind or null].
const TOKEN = /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^']|'')*'?|x'[0-9a-f]*'?)|("(?:[^"]|"")*"?|\[[^\]]*\]?|`[^`]*`?)|(\b\d+(?:\.\d*)?(?:e[+-]?\d+)?\b|\b0x[0-9a-f]+\b)|([A-Za-z_][A-Za-z0-9_$]*)|([\s\S])/giy;

/** A line of input with its SQL, or its dot-command, coloured. */
export function highlight(line) {
  if (line.startsWith('.')) {
    const end = line.search(/\s|$/);
    return paint('command', line.slice(0, end)) + line.slice(end);
  }
  let out = '';
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(line); m && m[0] !== ''; m = TOKEN.exec(line)) {
    const [text, comment, string, , number, word] = m;
    if (comment) out += paint('comment', text);
    else if (string) out += paint('string', text);
    else if (number) out += paint('number', text);
    else if (word && isKeyword(word)) out += paint('keyword', text);
    else out += text;
    if (TOKEN.lastIndex >= line.length) break;
  }
  return out;
}
