// scripts/build.sh as a build script: it fails when a step fails, and rebuilds from scratch when
// what it builds with changes; setup.sh's first checks; fetch-sqlite.sh's pinned amalgamation.
// Run in scratch copies with stand-ins for cmake, jco and npm on PATH, so the real tree and its
// build are never touched.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(new URL('..', import.meta.url).pathname);

// A stand-in that appends its arguments to $FAKE_LOG and creates what the real tool would.
const fakeCmake = `#!/usr/bin/env bash
echo "cmake $*" >>"$FAKE_LOG"
if [ "$1" = -S ]; then mkdir -p build/guest && touch build/guest/Makefile; exit 0; fi
if [ -n "\${FAKE_COMPILE_ERROR:-}" ]; then
  echo "[ 50%] Building CXX object sqlite/connection.cc.o"
  echo "connection.cc:1:1: error: $FAKE_COMPILE_ERROR" >&2
  exit 2
fi
# Like make: an up-to-date target is left alone.
[ -f build/guest/sqlite-core.wasm ] || { mkdir -p build/guest && touch build/guest/sqlite-core.wasm; }
`;
const fakeJco = `#!/usr/bin/env bash
echo "jco $*" >>"$FAKE_LOG"
out=""; prev=""
for a in "$@"; do [ "$prev" = -o ] && out=$a; prev=$a; done
if [ "$1" = transpile ]; then
  mkdir -p "$out"
  if [ -n "\${FAKE_NEW_SHAPE:-}" ]; then printf '%s\n' 'var ptr0 = somethingNew;' >"$out/sqlite.js"
  else printf '%s\n' 'var ptr0 = arg0;' 'var len1 = dataView(memory0).getInt32(ret + 4, true);' >"$out/sqlite.js"; fi
  # The JSPI glue has static resource functions that build.sh makes async.
  case " $* " in *" --async-mode jspi "*)
    printf '%s\n' 'Connection.open = function open(a) { await a; };' 'Backup.start = function start(a) { await a; };' >>"$out/sqlite.js"
    cat jco-async-imports.js >>"$out/sqlite.js";;
  esac
else touch "$out"; fi
`;
// Two of the JSPI glue's Suspending imports, in jco 1.12.0's shape: sleep, and a storage import
// whose lowering is replaced by a record of what it would write.
const jcoAsyncImports = `    const trampoline1 = new WebAssembly.Suspending(async function(arg0) {
      await sleep(arg0 >>> 0);
    }
    );
    
    const trampoline2 = new WebAssembly.Suspending(async function(arg0, arg1) {
      let ret;
      try {
        ret = { tag: 'ok', val: await close(arg0 >>> 0)};
      } catch (e) {
        ret = { tag: 'err', val: getErrorPayload(e) };
      }
      var variant0 = ret;
      lowered.push([arg1, variant0.tag, variant0.val]);
    }
    );
`;
const fakeWasmOpt = `#!/usr/bin/env bash
echo "wasm-opt $*" >>"$FAKE_LOG"
out=""; prev=""
for a in "$@"; do [ "$prev" = -o ] && out=$a; prev=$a; done
touch "$out"
`;
const fakeEsbuild = `#!/usr/bin/env bash
echo "esbuild $*" >>"$FAKE_LOG"
mkdir -p dist
case " $* " in
  *" --outfile=dist/node.js "*) touch dist/node.js;;
  *) touch dist/browser.js dist/worker-entry.js;;
esac
`;

describe('scripts/build.sh', () => {
  let dir;
  let log;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-test-'));
    log = path.join(dir, 'calls.log');
    for (const file of ['scripts/build.sh', 'scripts/unsigned-pointers.mjs', 'scripts/fix-async-glue.mjs', 'guest/wasm32-wasi.cmake', 'wit/sqlite.wit']) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.copyFileSync(path.join(root, file), path.join(dir, file));
    }
    const jcoDir = path.join(dir, 'node_modules/@bytecodealliance/jco');
    fs.mkdirSync(jcoDir, { recursive: true });
    fs.writeFileSync(path.join(jcoDir, 'package.json'), '{"version":"1.12.0"}');
    fs.mkdirSync(path.join(dir, 'node_modules/.bin'));
    fs.writeFileSync(path.join(dir, 'node_modules/.bin/jco'), fakeJco, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'jco-async-imports.js'), jcoAsyncImports);
    fs.writeFileSync(path.join(dir, 'node_modules/.bin/esbuild'), fakeEsbuild, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'node_modules/.bin/wasm-opt'), fakeWasmOpt, { mode: 0o755 });
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src/browser.js'), '// entry\n');
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin/cmake'), fakeCmake, { mode: 0o755 });
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function build(env = {}) {
    fs.writeFileSync(log, '');
    const result = spawnSync('bash', [path.join(dir, 'scripts/build.sh')], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}`, FAKE_LOG: log, ...env },
    });
    return { ...result, calls: fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
  }

  it('succeeds on a quiet successful compile and makes the component', async () => {
    const result = build();
    assert.equal(result.status, 0, result.stderr);
    // jco's signed pointer reads are made unsigned.
    assert.equal(
      fs.readFileSync(path.join(dir, 'dist/js/sqlite.js'), 'utf8'),
      'var ptr0 = arg0 >>> 0;\nvar len1 = dataView(memory0).getUint32(ret + 4, true);\n',
    );
    // The JSPI glue beside it: the same rewrites, and its static functions async.
    const asyncGlue = fs.readFileSync(path.join(dir, 'dist/js/sqlite-async.js'), 'utf8');
    assert.match(asyncGlue, /var ptr0 = arg0 >>> 0;/);
    assert.match(asyncGlue, /Connection\.open = async function open\(/);
    assert.match(asyncGlue, /Backup\.start = async function start\(/);
    // Its storage imports answer at once when the VFS does (JSPI then does not suspend), and
    // with a promise only when the VFS's answer is one; sleep always waits.
    const imports = asyncGlue.slice(asyncGlue.indexOf('    const trampoline1'));
    const make = (close) => {
      const lowered = [];
      const shim = { Suspending: class { constructor(f) { return f; } } };
      const payload = (e) => e.payload;
      const [sleep, closeImport] = new Function('WebAssembly', 'sleep', 'close', 'getErrorPayload', 'lowered',
        `${imports}\nreturn [trampoline1, trampoline2];`)(shim, async () => {}, close, payload, lowered);
      return { sleep, closeImport, lowered };
    };
    const sync = make(() => 7);
    assert.equal(sync.closeImport(1, 100), undefined);
    assert.deepEqual(sync.lowered, [[100, 'ok', 7]]);
    assert.ok(sync.sleep(5) instanceof Promise);
    const failing = make(() => {
      throw { payload: 5 };
    });
    assert.equal(failing.closeImport(1, 100), undefined);
    assert.deepEqual(failing.lowered, [[100, 'err', 5]]);
    const promised = make(async () => 8);
    const answer = promised.closeImport(1, 100);
    assert.ok(answer instanceof Promise);
    assert.deepEqual(promised.lowered, []);
    await answer;
    assert.deepEqual(promised.lowered, [[100, 'ok', 8]]);
    assert.equal(result.calls.filter((c) => c.startsWith('jco transpile')).length, 2, result.calls.join('\n'));
  });

  it('fails when a compile fails, even with an older core module in place', () => {
    assert.ok(fs.existsSync(path.join(dir, 'build/guest/sqlite-core.wasm')));
    const result = build({ FAKE_COMPILE_ERROR: 'expected expression' });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /error: expected expression/);
    assert.ok(!result.calls.some((c) => c.startsWith('jco')), 'no component from a failed compile');
  });

  it('does nothing new when nothing changed', () => {
    build();
    const result = build();
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(result.calls, ['cmake --build build/guest -j' + os.availableParallelism()]);
  });

  it('reconfigures and rebuilds everything when the jco version changes', () => {
    build();
    fs.writeFileSync(path.join(dir, 'node_modules/@bytecodealliance/jco/package.json'), '{"version":"1.12.1"}');
    const result = build();
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.calls[0].startsWith('cmake -S guest'), result.calls.join('\n'));
    assert.ok(result.calls.some((c) => c.startsWith('jco transpile')), result.calls.join('\n'));
  });

  it('reconfigures when the toolchain flags change', () => {
    build();
    fs.appendFileSync(path.join(dir, 'guest/wasm32-wasi.cmake'), '\n# changed flags\n');
    const result = build();
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.calls[0].startsWith('cmake -S guest'), result.calls.join('\n'));
  });

  it('a glue rewrite that fails fails the build, and the next run transpiles again', () => {
    build();
    fs.appendFileSync(path.join(dir, 'wit/sqlite.wit'), '\n// changed\n');
    const failed = build({ FAKE_NEW_SHAPE: '1' });
    assert.notEqual(failed.status, 0);
    assert.match(failed.stderr, /unsigned-pointers: nothing matched/);
    const next = build();
    assert.equal(next.status, 0, next.stderr);
    assert.ok(next.calls.some((c) => c.startsWith('jco transpile')), next.calls.join('\n'));
    assert.match(fs.readFileSync(path.join(dir, 'dist/js/sqlite.js'), 'utf8'), /arg0 >>> 0/);
  });

  it('bundles the browser and Node entries when a source file is newer than the bundles, and only then', () => {
    build();
    assert.ok(!build().calls.some((c) => c.startsWith('esbuild')), 'nothing changed, nothing bundled');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'src/browser.js'), later, later);
    const result = build();
    assert.equal(result.status, 0, result.stderr);
    const bundles = result.calls.filter((c) => c.startsWith('esbuild'));
    assert.equal(bundles.length, 2, bundles.join('\n'));
    assert.match(bundles[0], /src\/browser\.js src\/worker\/worker-entry\.js src\/worker\/client\.js --bundle .*--splitting --platform=browser/);
    assert.match(bundles[1], /src\/node\.js --bundle .*--platform=node .*--outfile=dist\/node\.js --packages=external/);
  });
});

describe('scripts/setup.sh', () => {
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-test-'));
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.copyFileSync(path.join(root, 'scripts/setup.sh'), path.join(dir, 'scripts/setup.sh'));
    fs.mkdirSync(path.join(dir, 'bin'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const tool = (name, body) => fs.writeFileSync(path.join(dir, 'bin', name), `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
  const setup = () =>
    spawnSync('bash', [path.join(dir, 'scripts/setup.sh')], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}`, FAKE_LOG: path.join(dir, 'apt.log') },
    });

  it('stops at once with a clear message on a Node older than 20.19', () => {
    tool('node', 'echo v20.18.3');
    tool('apt-get', 'echo "apt-get $*" >>"$FAKE_LOG"');
    const result = setup();
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /Node\.js 20\.19 or newer is needed; found: v20\.18\.3/);
    assert.ok(!fs.existsSync(path.join(dir, 'apt.log')), 'nothing installed before the check');
  });

  it("installs node-gyp's g++, make and python3 with the toolchain on a bare machine", () => {
    tool('node', 'echo v20.19.0');
    tool('dpkg-query', 'exit 1'); // nothing is installed
    tool('sudo', 'exec "$@"');
    // Record the install, then stop the script there.
    tool('apt-get', 'echo "apt-get $*" >>"$FAKE_LOG"; [ "$1" != install ]');
    const result = setup();
    assert.notEqual(result.status, 0);
    const install = fs.readFileSync(path.join(dir, 'apt.log'), 'utf8').split('\n').find((l) => l.includes(' install '));
    for (const p of ['g++', 'make', 'python3', 'clang-19', 'wasi-libc', 'sqlite3', 'chromium']) {
      assert.ok(install.split(' ').includes(p), `${p} in: ${install}`);
    }
  });

  it("installs the web playground's packages from its lock when they are missing or older, else leaves them", () => {
    tool('node', 'echo v20.19.0');
    tool('dpkg-query', "printf 'install ok installed'");
    tool('npm', 'echo "npm $*" >>"$FAKE_LOG"; [ "$1" != ci ] || [ "$2" != --prefix ] || mkdir -p "$3/node_modules/.bin"');
    for (const script of ['fetch-sqlite.sh', 'build.sh']) fs.writeFileSync(path.join(dir, 'scripts', script), 'exit 0\n');
    fs.mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'web'), { recursive: true });
    for (const lock of ['package-lock.json', 'web/package-lock.json']) fs.writeFileSync(path.join(dir, lock), '{}');
    fs.writeFileSync(path.join(dir, 'node_modules/.package-lock.json'), '{}');
    const npmCalls = () => {
      const log = path.join(dir, 'apt.log');
      const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter((l) => l.startsWith('npm ')) : [];
      fs.rmSync(log, { force: true });
      return calls;
    };
    let result = setup();
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(npmCalls().map((c) => c.split(' ').slice(0, 4).join(' ')), ['npm ci --prefix web']);
    fs.writeFileSync(path.join(dir, 'web/node_modules/.package-lock.json'), '{}');
    result = setup();
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(npmCalls(), [], 'installed and up to date: nothing to do');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'web/package-lock.json'), later, later);
    setup();
    assert.deepEqual(npmCalls().length, 1, 'a newer lock installs again');
  });
});

// The amalgamation is fetched only when deps/sqlite does not hold the pinned files, and only a
// tarball whose files match the pins replaces them. A replaced sqlite3.c is newer than the
// objects built from the old one, which is what makes build.sh's make recompile it.
describe('scripts/fetch-sqlite.sh', () => {
  let dir;
  let log;
  let tarballs;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fetch-test-'));
    log = path.join(dir, 'npm.log');
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.copyFileSync(path.join(root, 'scripts/fetch-sqlite.sh'), path.join(dir, 'scripts/fetch-sqlite.sh'));
    // Two tarballs for the stand-in npm: the real files, and a sqlite3.c that is not the pinned one.
    tarballs = path.join(dir, 'tarballs');
    for (const [name, c] of [['good', fs.readFileSync(path.join(root, 'deps/sqlite/sqlite3.c'))], ['bad', 'int altered;\n']]) {
      const files = path.join(tarballs, name, 'package/deps/sqlite3');
      fs.mkdirSync(files, { recursive: true });
      fs.writeFileSync(path.join(files, 'sqlite3.c'), c);
      fs.copyFileSync(path.join(root, 'deps/sqlite/sqlite3.h'), path.join(files, 'sqlite3.h'));
      execFileSync('tar', ['-czf', path.join(tarballs, `${name}.tgz`), '-C', path.join(tarballs, name), 'package']);
    }
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(
      path.join(dir, 'bin/npm'),
      `#!/usr/bin/env bash\necho "npm $*" >>"$FAKE_LOG"\ncp "${tarballs}/$FAKE_TARBALL.tgz" ./better-sqlite3.tgz\n`,
      { mode: 0o755 },
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const fetch = (tarball) => {
    fs.writeFileSync(log, '');
    const result = spawnSync('bash', [path.join(dir, 'scripts/fetch-sqlite.sh')], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}`, FAKE_LOG: log, FAKE_TARBALL: tarball },
    });
    return { ...result, calls: fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
  };

  it('fetches from the pinned better-sqlite3 when deps/sqlite is missing, and refuses files that do not match', () => {
    const refused = fetch('bad');
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /does not match the pinned sha256/);
    assert.deepEqual(refused.calls, ['npm pack --silent better-sqlite3@13.2.0']);
    assert.ok(!fs.existsSync(path.join(dir, 'deps/sqlite/sqlite3.c')));

    const fetched = fetch('good');
    assert.equal(fetched.status, 0, fetched.stderr);
    assert.match(fetched.stderr, /fetching SQLite 3\.54\.1 from better-sqlite3@13\.2\.0/);
    assert.ok(fs.readFileSync(path.join(dir, 'deps/sqlite/sqlite3.c')).equals(fs.readFileSync(path.join(root, 'deps/sqlite/sqlite3.c'))));
  });

  it('leaves matching files alone, and replaces a stale one with a newer file', () => {
    assert.equal(fetch('good').status, 0);
    assert.deepEqual(fetch('good').calls, [], 'nothing fetched when the files match');

    const file = path.join(dir, 'deps/sqlite/sqlite3.c');
    fs.writeFileSync(file, '/* an older SQLite */\n');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    const result = fetch('good');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.calls.length, 1);
    assert.ok(fs.statSync(file).mtimeMs > old.getTime(), 'newer than objects built from the old file');
  });
});
