// The options both benchmarks take: --quick, --json FILE, --engines a,b (among `engines`).
export function parseArgs(argv, engines) {
  const args = { quick: false, json: null, engines };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--json') args.json = argv[++i];
    else if (a === '--engines') args.engines = (argv[++i] ?? '').split(',');
    else throw new TypeError(`Expected --quick, --json FILE or --engines a,b; got ${a}`);
  }
  const unknown = args.engines.filter((e) => !engines.includes(e));
  if (unknown.length) throw new RangeError(`Expected engines among ${engines.join(', ')}; got ${unknown}`);
  if (args.json === undefined) throw new TypeError('Expected a file name after --json');
  return args;
}
