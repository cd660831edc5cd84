// Extracts the shapes of ECS RegisterTaskDefinitionRequest from botocore's service model (the project's .venv,
// installed by scripts/setup.sh) into src/ecs/task-definition-model.json, which src/ecs/task-definition-shape.ts
// reads to check a task definition file's known fields before anything is registered. No Python runs: the
// model is botocore's gzipped JSON. Run it after upgrading botocore (requirements-dev.txt):
//   node scripts/gen-ecs-shapes.mjs          rewrites the JSON
//   node scripts/gen-ecs-shapes.mjs --check  exits 1 when the committed JSON differs (test/ecs/task-definition-shape.test.ts)
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as prettier from 'prettier';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const target = path.join(root, 'src', 'ecs', 'task-definition-model.json');

/** The botocore package directory inside .venv, or undefined. */
export function botocoreDir() {
  const lib = path.join(root, '.venv', 'lib');
  if (!existsSync(lib)) return undefined;
  for (const python of readdirSync(lib)) {
    const dir = path.join(lib, python, 'site-packages', 'botocore');
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

/** The extracted model: botocore's version and every shape reachable from RegisterTaskDefinitionRequest. */
export function extract(dir) {
  const version = /__version__ = '([^']+)'/.exec(readFileSync(path.join(dir, '__init__.py'), 'utf8'))?.[1];
  const ecs = path.join(dir, 'data', 'ecs');
  const [apiVersion] = readdirSync(ecs).sort().reverse();
  const file = path.join(ecs, apiVersion, 'service-2.json.gz');
  const model = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
  const shapes = {};
  const visit = (name) => {
    if (shapes[name]) return;
    const shape = model.shapes[name];
    const out = { type: shape.type };
    shapes[name] = out;
    if (shape.members) {
      out.members = Object.fromEntries(Object.entries(shape.members).map(([k, v]) => [k, v.shape]));
      if (shape.required?.length) out.required = shape.required;
      for (const member of Object.values(shape.members)) visit(member.shape);
    }
    if (shape.member) {
      out.member = shape.member.shape;
      visit(shape.member.shape);
    }
    if (shape.key) {
      out.key = shape.key.shape;
      out.value = shape.value.shape;
      visit(shape.key.shape);
      visit(shape.value.shape);
    }
    if (shape.enum) out.enum = shape.enum;
  };
  visit('RegisterTaskDefinitionRequest');
  const sorted = Object.fromEntries(
    Object.keys(shapes)
      .sort()
      .map((k) => [k, shapes[k]])
  );
  return {
    source: `botocore ${version}, ecs ${apiVersion}`,
    root: 'RegisterTaskDefinitionRequest',
    shapes: sorted
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = botocoreDir();
  if (!dir) {
    console.error('gen-ecs-shapes: no botocore in .venv; run bash scripts/setup.sh first');
    process.exit(2);
  }
  const config = (await prettier.resolveConfig(target)) ?? {};
  const model = extract(dir);
  const text = await prettier.format(JSON.stringify(model), { ...config, filepath: target });
  if (process.argv.includes('--check')) {
    const same = existsSync(target) && readFileSync(target, 'utf8') === text;
    if (!same)
      console.error(
        `gen-ecs-shapes: ${path.relative(root, target)} is stale; run node scripts/gen-ecs-shapes.mjs`
      );
    process.exit(same ? 0 : 1);
  }
  writeFileSync(target, text);
  console.log(`wrote ${path.relative(root, target)} (${Object.keys(model.shapes).length} shapes)`);
}
