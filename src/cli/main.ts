/**
 * The `twotier` command: the same library functions the actions call, from a laptop or a CI shell.
 * Each file in src/cli/commands/ exports `register(program)` and adds its own subcommands, so a new
 * command is one new file.
 */
import { Command } from 'commander';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigurationError, messageOf } from '../lib/errors.js';

/** What a command module exports. */
export interface CommandModule {
  register(program: Command): void;
}

/** Builds the program with every command module in src/cli/commands. */
export async function buildProgram(): Promise<Command> {
  const program = new Command('twotier')
    .description('Deploy a two-tier web app (ECS Fargate backend, S3 + CloudFront frontend) to AWS')
    .showHelpAfterError()
    .exitOverride();
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as CommandModule;
    mod.register(program);
  }
  return program;
}

/** Runs the CLI; exit code 1 for deploy failures, 2 for configuration errors. */
export async function main(argv = process.argv): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const code = (error as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help')
      return 0;
    // A usage mistake (unknown command, missing option): like a configuration error, exit 2.
    if (code?.startsWith('commander.')) return 2;
    if (error instanceof ConfigurationError) {
      process.stderr.write(`twotier: configuration error: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`twotier: ${messageOf(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
