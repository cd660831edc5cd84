/**
 * Every JavaScript action's declaration, for the generator (scripts/gen-actions.ts), the contract tests and
 * the docs. Importing this loads each action's main.ts without running it (index.ts runs it).
 */
import type { AnyActionDefinition } from './definition.js';
import { definition as continueDeployment } from './continue-deployment/main.js';
import { definition as deployService } from './deploy-service/main.js';
import { definition as deployStack } from './deploy-stack/main.js';
import { definition as invalidateCdn } from './invalidate-cdn/main.js';
import { definition as planRelease } from './plan-release/main.js';
import { definition as registerTaskDefinition } from './register-task-definition/main.js';
import { definition as resolveImageTag } from './resolve-image-tag/main.js';
import { definition as rollback } from './rollback/main.js';
import { definition as runTask } from './run-task/main.js';
import { definition as stopDeployment } from './stop-deployment/main.js';
import { definition as uploadFrontend } from './upload-frontend/main.js';

/** The declarations, by action name. */
export const actionDefinitions: readonly AnyActionDefinition[] = [
  continueDeployment,
  deployService,
  deployStack,
  invalidateCdn,
  planRelease,
  registerTaskDefinition,
  resolveImageTag,
  rollback,
  runTask,
  stopDeployment,
  uploadFrontend
];
