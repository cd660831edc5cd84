/**
 * Runs an action's committed bundle the way the GitHub runner does: `node dist/<name>/index.js` on Node 24
 * (the project's pinned copy, see node24.ts) with each input as INPUT_<NAME>, and GITHUB_OUTPUT /
 * GITHUB_STEP_SUMMARY pointing at fresh files.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { actionNode } from './node24.js';

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** The `::error::` / `::warning::` annotation lines. */
  errors: string[];
  warnings: string[];
}

/**
 * The `::error::` annotation text of a run, with the escapes @actions/core applies to a command's message
 * undone (%0D carriage return, %0A newline, %25 percent; %25 last, so an escaped "%0A" stays literal).
 */
export function errorText(run: Pick<ActionRun, 'errors'>): string {
  return run.errors.join('\n').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/** Parses a GITHUB_OUTPUT file (`name<<DELIM` heredoc form and `name=value` form). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i] ?? '');
      outputs[name!] = value.join('\n');
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

/**
 * Runs dist/<name>/index.js on Node 24.
 * @param inputs action inputs by their action.yml names.
 * @param env extra environment (AWS endpoints, region, credentials).
 * @param timeoutMs kill the process after this long (milliseconds).
 * @throws Error when scripts/setup.sh has not installed Node 24 (see actionNode).
 */
export async function runActionBundle(
  name: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  timeoutMs = 120000
): Promise<ActionRun> {
  const dir = mkdtempSync(path.join(tmpdir(), `action-${name}-`));
  const outputFile = path.join(dir, 'output');
  const summaryFile = path.join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: dir,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    ...env
  };
  for (const [key, value] of Object.entries(inputs))
    childEnv[`INPUT_${key.replace(/ /g, '_').toUpperCase()}`] = value;
  const node = actionNode();
  const bundle = path.resolve('dist', name, 'index.js');
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(node, [bundle], { env: childEnv, cwd: process.cwd() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
  const summary = readFileSync(summaryFile, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const lines = result.stdout.split('\n');
  return {
    ...result,
    outputs,
    summary,
    errors: lines.filter((l) => l.startsWith('::error')),
    warnings: lines.filter((l) => l.startsWith('::warning'))
  };
}
