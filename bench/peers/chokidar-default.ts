// chokidar 5 with its defaults (ignoreInitial only), as a user would watch a tree: prints "ready <ms>" once watching,
// then one line per add/change event, and "error <code>" for each error it reports.
import { watch } from 'chokidar';

const started = performance.now();
const watcher = watch(process.argv[2]!, { ignoreInitial: true });
watcher.on('ready', () => console.log(`ready ${Math.round(performance.now() - started)}`));
watcher.on('add', (p) => console.log(`add ${p}`));
watcher.on('change', (p) => console.log(`change ${p}`));
watcher.on('error', (e) => console.log(`error ${(e as NodeJS.ErrnoException).code ?? 'unknown'}`));
process.on('SIGTERM', () => void watcher.close().then(() => process.exit(0)));
