// Bundles each JavaScript action into dist/<name>/index.js: tsc compiles src/ to build/ (ESM), then ncc
// bundles build/actions/<name>/index.js with its dependencies. Every src/actions/<name>/index.ts is an entry:
// the actions, and the steps the composites run (resolve-image-tag in build-push; plan-release, the root
// action's plan, in action.yml). Type errors are the typecheck step's job
// (npm test runs it); here tsc only emits. dist/ is committed; CI rebuilds it and fails on any difference.
import { execFileSync } from 'node:child_process';
import { readdirSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const only = process.argv.slice(2);
const names = readdirSync(path.join(root, 'src', 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(root, 'src', 'actions', d.name, 'index.ts')))
  .map((d) => d.name)
  .filter((n) => only.length === 0 || only.includes(n));

// One fixed build folder (ncc derives module ids from paths: a fixed path keeps dist/ reproducible), guarded by
// a lock so two bundle runs at the same time never read each other's half-written output.
mkdirSync(path.join(root, 'build'), { recursive: true });
const lock = path.join(root, 'build', '.lock');
for (let waited = 0; ; waited += 200) {
  try {
    mkdirSync(lock);
    break;
  } catch {
    if (waited > 300000)
      throw new Error(`bundle: ${lock} held for 5 minutes; remove it if no bundle is running`);
    execFileSync('sleep', ['0.2']);
  }
}
process.on('exit', () => rmSync(lock, { recursive: true, force: true }));
const buildDir = path.join(root, 'build', 'bundle');
rmSync(buildDir, { recursive: true, force: true });
try {
  execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', buildDir], { cwd: root, stdio: 'pipe' });
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
      path.join(buildDir, 'actions', name, 'index.js'),
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
rmSync(buildDir, { recursive: true, force: true });
