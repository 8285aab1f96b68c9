// The development build behind `npm start` and the CLI scripts: each TypeScript file of src/ and
// migrations/ compiled on its own by swc (no type-checking — `npm test` and CI run tsc), and only
// when it changed since its output was written. A cold build takes about a second, a warm one
// (nothing changed) a few dozen milliseconds. Writes the same layout as `tsc` (dist/src, dist/migrations).
import { transformFile } from '@swc/core';
import { mkdirSync, readdirSync, statSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'dist');
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
};

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

const newer = (a, b) => !existsSync(b) || statSync(a).mtimeMs > statSync(b).mtimeMs;
const jobs = [];
let copied = 0;
for (const top of ['src', 'migrations']) {
  for (const path of files(join(ROOT, top))) {
    const rel = relative(ROOT, path);
    if (/\.spec\.ts$/.test(rel)) continue;
    if (rel.endsWith('.ts')) {
      const target = join(OUT, rel.replace(/\.ts$/, '.js'));
      if (!newer(path, target)) continue;
      jobs.push(
        transformFile(path, { ...swc, filename: path, sourceFileName: relative(dirname(target), path) }).then(({ code, map }) => {
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
          if (map) writeFileSync(`${target}.map`, map);
        }),
      );
    } else if (top === 'src') {
      // Assets the module reads at run time (the common-password list), as scripts/copy-assets.mjs.
      const target = join(OUT, rel);
      if (!newer(path, target)) continue;
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(path, target);
      copied++;
    }
  }
}
await Promise.all(jobs);
if (jobs.length || copied) console.error(`dev build: ${jobs.length} compiled, ${copied} copied`);
