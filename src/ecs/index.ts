/** The ECS part of the library: task definitions, service rollouts, one-off tasks. */
export {
  registerTaskDefinition,
  validateRegisterOptions,
  type RegisterOptions,
  type RegisterResult
} from './register.js';
export {
  preflightTaskDefinition,
  findMissingResources,
  parseEcrImage,
  parseSecretReference,
  type PreflightResult,
  type PreflightMiss
} from './preflight.js';
export {
  deployService,
  validateDeployOptions,
  type DeployOptions,
  type DeployResult,
  type DeployOutcome
} from './deploy.js';
export { runTask, parseCommand, type RunTaskOptions, type RunTaskResult } from './run-task.js';
export { registerSummaryMarkdown, deploySummaryMarkdown, runTaskSummaryMarkdown } from './summary.js';
export { judgeDeployment, watchDeployment, type WatchOutcome } from './watch.js';
export { groupStoppedTasks, hintFor, type StoppedTaskGroup } from './diagnose.js';
export { ecsClient, arnName } from './client.js';
