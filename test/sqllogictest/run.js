#!/usr/bin/env node
// sqllogictest runner: `npm run -s slt -- [options] PATH...`, PATH a .test file or a folder
// searched for *.test. Each file runs on a fresh database through the public JS API.
//   --vfs memory|node-fs   where the database lives (node-fs: a file in a temporary folder)
//   --engine ours|native   whose SQLite runs the scripts (native: better-sqlite3)
//   --compare-native       also run every record on better-sqlite3 and report any difference
// Prints one line per file with the failures under it, and last "N passed, N failed, N skipped".
// Exits 1 if anything failed, 2 on bad usage.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadEngine } from './engines.js';
import { runFile } from './run-file.js';

const SHOWN_LINES = 40;

function usage(message) {
  console.error(`${message}\nusage: npm run -s slt -- [--vfs memory|node-fs] [--engine ours|native] [--compare-native] PATH...`);
  process.exit(2);
}

function testFiles(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => {
      const child = join(path, entry.name);
      if (entry.isDirectory()) return testFiles(child);
      return entry.name.endsWith('.test') ? [child] : [];
    });
}

function indent(lines, prefix) {
  const shown = lines.length > SHOWN_LINES ? [...lines.slice(0, SHOWN_LINES), `… ${lines.length - SHOWN_LINES} more`] : lines;
  return shown.map((line) => prefix + line).join('\n');
}

function printFailure(file, failure) {
  console.log(`  FAIL ${file}:${failure.line}: ${failure.message}`);
  console.log(indent(failure.sql.split('\n'), '    SQL: '));
  console.log(`    expected:\n${indent(failure.expected, '      ')}`);
  console.log(`    got:\n${indent(failure.got, '      ')}`);
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

let options;
try {
  options = parseArgs({
    allowPositionals: true,
    options: {
      vfs: { type: 'string', default: 'memory' },
      engine: { type: 'string', default: 'ours' },
      'compare-native': { type: 'boolean', default: false },
    },
  });
} catch (e) {
  usage(e.message);
}
const { values, positionals } = options;
if (!positionals.length) usage('Expected at least one file or folder');
if (!['memory', 'node-fs'].includes(values.vfs)) usage(`Expected --vfs memory or node-fs, got ${values.vfs}`);
if (values['compare-native'] && values.engine === 'native') usage('--compare-native compares another engine with native');

let files;
try {
  files = positionals.flatMap(testFiles);
} catch (e) {
  usage(e.message);
}
const engine = await loadEngine(values.engine);
const reference = values['compare-native'] ? await loadEngine('native') : null;
const folder = values.vfs === 'node-fs' ? mkdtempSync(join(tmpdir(), 'slt-')) : undefined;
const total = { passed: 0, failed: 0, skipped: 0 };
const times = {};
try {
  files.forEach((file, i) => {
    const result = runFile(file, { engine, reference, vfs: values.vfs, folder, id: `slt-${process.pid}-${i}` });
    for (const key of Object.keys(total)) total[key] += result[key];
    const spent = Object.entries(result.times).map(([name, ms]) => {
      times[name] = (times[name] ?? 0) + ms;
      return `${name} ${seconds(ms)}`;
    });
    console.log(`${file}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped (${spent.join(', ')})`);
    for (const failure of result.failures) printFailure(file, failure);
  });
} finally {
  if (folder) rmSync(folder, { recursive: true, force: true });
}
const spent = Object.entries(times).map(([name, ms]) => `${name} ${seconds(ms)}`);
console.log(`${files.length} files, ${values.vfs} VFS, time in ${spent.join(', ')}`);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = total.failed ? 1 : 0;
