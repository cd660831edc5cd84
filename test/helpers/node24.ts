/**
 * The Node the action bundles run on in tests: the pinned Node 24 that scripts/setup.sh unpacks into
 * .tools/node24, because GitHub runs the actions with `runs.using: node24`, whatever Node runs jest or the CLI.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where scripts/setup.sh puts the Node 24 binary (absolute path). */
export const node24Path = path.join(root, '.tools', 'node24', 'bin', 'node');

/**
 * The absolute path of the Node binary that runs the action bundles: the project's Node 24, or the file named by
 * TWOTIER_ACTION_NODE (to compare another Node, e.g. `TWOTIER_ACTION_NODE=$(command -v node)`).
 * @throws Error naming the missing file and the setup command when scripts/setup.sh has not installed it.
 */
export function actionNode(): string {
  const override = process.env.TWOTIER_ACTION_NODE;
  if (override) {
    if (!existsSync(override)) throw new Error(`TWOTIER_ACTION_NODE is "${override}", which does not exist.`);
    return override;
  }
  if (!existsSync(node24Path)) {
    throw new Error(
      `The action bundles run on Node 24 (runs.using: node24), expected at ${node24Path}; ` +
        'run `bash scripts/setup.sh` to install it into the project.'
    );
  }
  return node24Path;
}
