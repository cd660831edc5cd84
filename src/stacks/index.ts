/** CloudFormation stacks: deploy-stack's library (create or update through change sets). */
export {
  deployStack,
  prepareStack,
  planStack,
  applyStack,
  type StackPreparation,
  type StackPlan,
  type StackPlanNext
} from './deploy.js';
export { prepareDeployment, CAPABILITIES } from './prepare.js';
export { formatChanges } from './change-set.js';
export type {
  DeployStackOptions,
  DeployStackResult,
  PreparedDeployment,
  ResourceChangeRow,
  StackFailure
} from './types.js';
export { stackSummaryMarkdown } from './summary.js';
export {
  parseTemplate,
  loadTemplateFile,
  loadParametersFile,
  cloudFormationTags,
  MAX_TEMPLATE_BODY_BYTES,
  type ParsedTemplate,
  type TemplateParameter
} from './template.js';
