// Generates the input/output tables of every action (the root action.yml and actions/*/action.yml) into
// README.md and docs/actions.md, between the markers below. `--check` writes nothing and exits 1 when either
// file is stale (the contract test and CI run it that way).
//
//   node scripts/gen-action-docs.mjs          rewrite the generated regions
//   node scripts/gen-action-docs.mjs --check  fail when they differ from the action.yml files
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const BEGIN = '<!-- BEGIN GENERATED ACTION TABLES -->';
export const END = '<!-- END GENERATED ACTION TABLES -->';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every action file: [{ dir (relative, '' for the root), uses, file }], the root first, then by name. */
export function actionFiles(base = root) {
  const found = [];
  if (existsSync(path.join(base, 'action.yml'))) found.push({ dir: '', file: path.join(base, 'action.yml') });
  const actionsDir = path.join(base, 'actions');
  if (existsSync(actionsDir)) {
    for (const name of readdirSync(actionsDir).sort()) {
      const file = path.join(actionsDir, name, 'action.yml');
      if (existsSync(file)) found.push({ dir: `actions/${name}`, file });
    }
  }
  return found;
}

/** One line of text, pipes escaped for a table. */
function line(text) {
  return String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\|/g, '\\|');
}

/** One table cell of prose: also escapes angle brackets, which markdown would take for HTML tags. */
function cell(text) {
  return line(text).replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function code(text) {
  const value = line(text);
  return value === '' ? '' : `\`${value}\``;
}

/** The markdown for one action. */
export function renderAction({ dir, file }) {
  const spec = parse(readFileSync(file, 'utf8')) ?? {};
  const uses = dir ? `<owner>/twotier-actions/${dir}@v1` : '<owner>/twotier-actions@v1';
  const kind = spec.runs?.using === 'composite' ? 'composite' : `JavaScript (${spec.runs?.using ?? '?'})`;
  const lines = [`### ${dir || 'twotier-actions (root): the whole deploy'}`, ''];
  lines.push(`\`uses: ${uses}\` · ${kind}`, '', cell(spec.description), '');
  const inputs = Object.entries(spec.inputs ?? {});
  if (inputs.length) {
    lines.push('| Input | Required | Default | Description |', '| --- | --- | --- | --- |');
    for (const [name, input] of inputs) {
      const def = input?.default === undefined ? '' : code(input.default === '' ? "''" : input.default);
      lines.push(
        `| \`${name}\` | ${input?.required ? 'yes' : 'no'} | ${def} | ${cell(input?.description)} |`
      );
    }
    lines.push('');
  }
  const outputs = Object.entries(spec.outputs ?? {});
  if (outputs.length) {
    lines.push('| Output | Description |', '| --- | --- |');
    for (const [name, output] of outputs) lines.push(`| \`${name}\` | ${cell(output?.description)} |`);
    lines.push('');
  }
  return lines.join('\n');
}

/** The whole generated region (without the markers). */
export function renderAll(base = root) {
  const files = actionFiles(base);
  const index = ['| Action | Description |', '| --- | --- |'];
  for (const f of files) {
    const spec = parse(readFileSync(f.file, 'utf8')) ?? {};
    const first = cell(spec.description).split(/(?<=\.)\s/)[0];
    index.push(`| \`${f.dir || '(root)'}\` | ${first} |`);
  }
  return ['## Actions', '', ...index, '', ...files.map(renderAction)].join('\n').trimEnd();
}

/** `text` with the region between the markers replaced; throws when the markers are missing. */
export function replaceRegion(text, body, file) {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file}: the markers ${BEGIN} / ${END} are missing`);
  return `${text.slice(0, start + BEGIN.length)}\n${body}\n${text.slice(end)}`;
}

function main() {
  const check = process.argv.includes('--check');
  const body = renderAll();
  let stale = 0;
  for (const rel of ['README.md', 'docs/actions.md']) {
    const file = path.join(root, rel);
    const current = readFileSync(file, 'utf8');
    const next = replaceRegion(current, body, rel);
    if (next === current) continue;
    if (check) {
      console.error(`${rel}: the action tables are stale; run node scripts/gen-action-docs.mjs`);
      stale++;
    } else {
      writeFileSync(file, next);
      console.log(`updated ${rel}`);
    }
  }
  process.exit(stale ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
