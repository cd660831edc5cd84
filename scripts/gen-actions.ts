// Writes the `inputs` and `outputs` of every JavaScript action's action.yml from its declaration
// (src/actions/<name>/main.ts `definition`, whose options are declared once in src/<domain>/options.ts),
// keeping the rest of the file. `--check` writes nothing and exits 1 when a file is stale.
//
//   npx tsx scripts/gen-actions.ts          rewrite actions/<name>/action.yml
//   npx tsx scripts/gen-actions.ts --check  fail when they differ from the declarations
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { parseDocument, Scalar, visit } from 'yaml';
import { actionDefinitions } from '../src/actions/definitions.js';
import { yamlInputs, yamlOutputs } from '../src/actions/action-yaml.js';
import type { AnyActionDefinition } from '../src/actions/definition.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The action.yml text for `definition`, from `current` with its inputs and outputs replaced. */
export async function render(current: string, definition: AnyActionDefinition): Promise<string> {
  const doc = parseDocument(current);
  for (const [key, value] of [
    ['inputs', yamlInputs(definition.options)],
    ['outputs', yamlOutputs(definition)]
  ] as const) {
    const node = doc.createNode(value);
    // Long descriptions as folded blocks (`>-`), the style of the hand-written parts of the file.
    visit(node, {
      Scalar(_key, scalar) {
        if (typeof scalar.value === 'string' && scalar.value.length > 90) scalar.type = Scalar.BLOCK_FOLDED;
      }
    });
    doc.set(key, node);
  }
  const text = doc.toString({ lineWidth: 110, minContentWidth: 40 });
  const config = (await prettier.resolveConfig(path.join(root, 'action.yml'))) ?? {};
  return prettier.format(text, { ...config, parser: 'yaml' });
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const definition of actionDefinitions) {
    const file = path.join(root, 'actions', definition.name, 'action.yml');
    if (!existsSync(file)) continue; // resolve-image-tag: its inputs are documented in build-push's action.yml
    const current = readFileSync(file, 'utf8');
    const next = await render(current, definition);
    if (next === current) continue;
    if (check) {
      console.error(`actions/${definition.name}/action.yml is stale; run npx tsx scripts/gen-actions.ts`);
      stale++;
    } else {
      writeFileSync(file, next);
      console.log(`updated actions/${definition.name}/action.yml`);
    }
  }
  process.exit(stale ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
