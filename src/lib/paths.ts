/**
 * Where files the toolkit reads may come from. A relative path (`source-dir: dist`, `task-definition:
 * taskdef/api.json`) is resolved against the workspace (GITHUB_WORKSPACE, else the working directory) and
 * must stay inside it, also after following symbolic links: `../../etc` or a link out of the checkout is
 * refused. An absolute path is taken as chosen on purpose (a file a previous step wrote to RUNNER_TEMP, say)
 * and accepted as it is. docs/actions.md states the rule.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError, show } from './errors.js';

/**
 * True when `target` is `base` itself or lies below it (both absolute, already resolved: this compares
 * paths, it follows no link).
 */
export function isWithin(target: string, base: string): boolean {
  const relative = path.relative(base, target);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

/** The workspace directory: GITHUB_WORKSPACE when set, else the process's working directory. */
export function workspaceDir(env: Record<string, string | undefined> = process.env): string {
  return path.resolve(env.GITHUB_WORKSPACE || process.cwd());
}

/**
 * Resolves an input path under the workspace rule above.
 * @param input the input's name, for messages.
 * @returns the absolute path (symbolic links not resolved, so messages show what the user wrote).
 * @throws ConfigurationError naming the input and the value when a relative path leaves the workspace.
 */
export function workspacePath(
  value: string,
  input: string,
  env: Record<string, string | undefined> = process.env
): string {
  if (path.isAbsolute(value)) return path.normalize(value);
  const workspace = workspaceDir(env);
  const resolved = path.resolve(workspace, value);
  if (!isWithin(resolved, workspace)) {
    throw new ConfigurationError(
      `${input} ${show(value)} points outside the workspace (${workspace}); give a path inside it, or an absolute path if a file elsewhere is meant.`,
      input
    );
  }
  if (existsSync(resolved)) {
    const real = realpathSync(resolved);
    const realWorkspace = realpathSync(workspace);
    if (!isWithin(real, realWorkspace)) {
      throw new ConfigurationError(
        `${input} ${show(value)} is a symbolic link to ${real}, outside the workspace (${realWorkspace}); give the absolute path if that is meant.`,
        input
      );
    }
  }
  return resolved;
}
