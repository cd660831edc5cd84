// Bundles each JavaScript action (src/actions/<name>/index.ts) into dist/<name>/index.js with ncc.
// dist/ is committed; CI rebuilds it and fails on any difference (scripts/check-dist.sh).
import { execFileSync } from 'node:child_process';
import { readdirSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const only = process.argv.slice(2);
const names = readdirSync(path.join(root, 'src', 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(root, 'src', 'actions', d.name, 'index.ts')))
  .map((d) => d.name)
  .filter((n) => only.length === 0 || only.includes(n));
for (const name of names) {
  const out = path.join(root, 'dist', name);
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    path.join(root, 'node_modules', '.bin', 'ncc'),
    [
      'build',
      path.join('src', 'actions', name, 'index.ts'),
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
