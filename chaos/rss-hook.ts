/**
 * Preloaded into a sluice process by the chaos suite (NODE_OPTIONS=--import=…/rss-hook.js): on a normal exit it writes
 * the process's peak resident set size (getrusage maxrss, KiB) to $SLUICE_TEST_RSS_FILE. Test-only.
 */
import fs from 'node:fs';

const file = process.env['SLUICE_TEST_RSS_FILE'];
if (file) process.on('exit', () => fs.writeFileSync(file, String(process.resourceUsage().maxRSS)));
