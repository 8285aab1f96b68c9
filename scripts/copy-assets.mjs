// Copies the files the module reads at run time (everything under src/ that is not TypeScript,
// e.g. the common-password list) beside the compiled JavaScript in dist/, so the package ships
// them and the code finds them relative to itself.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const from = 'src';
const to = join('dist', 'src');

function copy(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copy(path);
    else if (!/\.(ts|tsx)$/.test(name)) cpSync(path, join(to, path.slice(from.length + 1)));
  }
}
copy(from);
