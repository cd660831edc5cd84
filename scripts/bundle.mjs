// Bundles each JavaScript action into dist/<name>/index.js: tsc compiles src/ to build/ (ESM), then ncc
// bundles build/actions/<name>/index.js with its dependencies. Type errors are the typecheck step's job
// (npm test runs it); here tsc only emits. dist/ is committed; CI rebuilds it and fails on any difference.
import { execFileSync } from 'node:child_process';
import { readdirSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const only = process.argv.slice(2);
const names = readdirSync(path.join(root, 'src', 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(root, 'src', 'actions', d.name, 'index.ts')))
  .map((d) => d.name)
  .filter((n) => only.length === 0 || only.includes(n));

rmSync(path.join(root, 'build'), { recursive: true, force: true });
try {
  execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
} catch {
  // Emitted anyway (noEmitOnError is off); `npm run typecheck` reports the errors.
}
for (const name of names) {
  const out = path.join(root, 'dist', name);
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    bin('ncc'),
    [
      'build',
      path.join('build', 'actions', name, 'index.js'),
      '-o',
      path.join('dist', name),
      '--license',
      'licenses.txt',
      '--quiet',
      '--target',
      'es2022'
    ],
    { cwd: root, stdio: 'inherit' }
  );
  console.log(`bundled dist/${name}/index.js`);
}
