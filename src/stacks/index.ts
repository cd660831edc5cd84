/** CloudFormation stacks: deploy-stack's library (create or update through change sets). */
export {
  deployStack,
  prepareDeployment,
  formatChanges,
  CAPABILITIES,
  type DeployStackOptions,
  type DeployStackResult,
  type PreparedDeployment,
  type ResourceChangeRow,
  type StackFailure
} from './deploy.js';
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
