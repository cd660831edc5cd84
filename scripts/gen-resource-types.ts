// Writes src/stacks/resource-types.json: every CloudFormation resource type, from the resource provider
// schemas cfn-lint bundles (one list per region under cfnlint/data/schemas/providers/; their union, since a
// template is checked before its region's list would matter), plus the AWS::Serverless types of the SAM
// transform (providers/sam.json). deploy-stack refuses a template whose AWS::/Alexa:: resource type is not in
// it (src/stacks/resource-types.ts). Needs the project's venv (bash scripts/setup.sh installs cfn-lint).
//
//   npx tsx scripts/gen-resource-types.ts          rewrite src/stacks/resource-types.json
//   npx tsx scripts/gen-resource-types.ts --check  fail when it differs from the venv's cfn-lint
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = path.join(root, 'src', 'stacks', 'resource-types.json');

/** The shape of resource-types.json. */
export interface ResourceTypeData {
  /** Where the list comes from and how to regenerate it. */
  source: string;
  /** Resource names by namespace: `"AWS::EC2": ["VPC", ...]` is AWS::EC2::VPC, sorted. */
  types: Record<string, string[]>;
  /** The resource names of the AWS::Serverless-2016-10-31 transform (AWS::Serverless::<name>). */
  serverless: string[];
}

/** cfn-lint's installed package in the project's venv. */
export function cfnLintPackage(): { dir: string; version: string } {
  const lib = path.join(root, '.venv', 'lib');
  const python = existsSync(lib) ? readdirSync(lib).find((d) => /^python3\.\d+$/.test(d)) : undefined;
  const site = python ? path.join(lib, python, 'site-packages') : '';
  const dir = path.join(site, 'cfnlint');
  if (!python || !existsSync(dir)) {
    throw new Error(`cfn-lint is not installed in ${lib}; run bash scripts/setup.sh`);
  }
  const info = readdirSync(site).find((d) => /^cfn_lint-.+\.dist-info$/.test(d));
  const version = info ? /^cfn_lint-(.+)\.dist-info$/.exec(info)![1]! : 'unknown';
  return { dir, version };
}

/** The list as the venv's cfn-lint gives it. */
export function resourceTypeData(): ResourceTypeData {
  const { dir, version } = cfnLintPackage();
  const providers = path.join(dir, 'data', 'schemas', 'providers');
  const all = new Set<string>();
  let regions = 0;
  for (const file of readdirSync(providers).sort()) {
    if (!file.endsWith('.json') || file === 'sam.json') continue;
    regions++;
    for (const type of Object.keys(JSON.parse(readFileSync(path.join(providers, file), 'utf8'))))
      all.add(type);
  }
  const types: Record<string, string[]> = {};
  for (const type of [...all].sort()) {
    const cut = type.lastIndexOf('::');
    (types[type.slice(0, cut)] ??= []).push(type.slice(cut + 2));
  }
  const sam = JSON.parse(readFileSync(path.join(providers, 'sam.json'), 'utf8')) as Record<string, unknown>;
  const serverless = Object.keys(sam)
    .filter((t) => t.startsWith('AWS::Serverless::'))
    .map((t) => t.slice('AWS::Serverless::'.length))
    .sort();
  const versionFile = path.join(dir, 'data', 'schemas', 'version.json');
  const date = existsSync(versionFile)
    ? String((JSON.parse(readFileSync(versionFile, 'utf8')) as { schema_date?: string }).schema_date ?? '')
    : '';
  return {
    source: `cfn-lint ${version} resource provider schemas${date ? ` of ${date.slice(0, 10)}` : ''}, ${regions} regions (union); regenerate with npx tsx scripts/gen-resource-types.ts`,
    types,
    serverless
  };
}

async function main(): Promise<void> {
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(OUTPUT)) ?? {};
  const data = resourceTypeData();
  const text = await prettier.format(JSON.stringify(data), { ...config, parser: 'json' });
  const current = existsSync(OUTPUT) ? readFileSync(OUTPUT, 'utf8') : '';
  if (process.argv.includes('--check')) {
    if (text !== current) {
      console.error('src/stacks/resource-types.json is stale; run npx tsx scripts/gen-resource-types.ts');
      process.exit(1);
    }
    return;
  }
  writeFileSync(OUTPUT, text);
  const count = Object.values(data.types).reduce((n, names) => n + names.length, 0);
  console.log(`wrote ${path.relative(root, OUTPUT)}: ${count} resource types, ${text.length} bytes`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
