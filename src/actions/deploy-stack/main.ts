/**
 * The deploy-stack action: declared inputs → planStack (the change set) and applyStack (execute and wait),
 * each in its own log group → every stack output as an action output + job summary.
 */
import { stackOptions } from '../../stacks/options.js';
import { applyStack, planStack, prepareStack } from '../../stacks/deploy.js';
import { stackSummaryMarkdown } from '../../stacks/summary.js';
import type { DeployStackResult } from '../../stacks/types.js';
import { defineAction } from '../definition.js';
import { coreReporter, group, runOperation } from '../runtime.js';

/** deploy-stack's inputs (the stacks library's `stackOptions`) and outputs. */
export const definition = defineAction({
  name: 'deploy-stack',
  options: stackOptions,
  outputs: {
    'stack-id': 'ARN of the stack.',
    'change-set-id': 'ARN of the change set (empty when the stack was created without one).',
    status:
      "The stack's final status (CREATE_COMPLETE, UPDATE_COMPLETE, or the failure state), NO_CHANGES when the change set was empty, CHANGE_SET_CREATED with no-execute.",
    changed: 'true when the stack was changed (or, with no-execute, would be).'
  }
});

/** Every stack output under its own OutputKey (dynamic, so not declared), then the declared outputs. */
function outputsOf(result: DeployStackResult) {
  return {
    ...result.outputs,
    'stack-id': result.stackId ?? '',
    'change-set-id': result.changeSetId ?? '',
    status: result.status,
    changed: result.changed
  };
}

/** Runs the deploy-stack action: deploys the stack through a change set, sets every stack output as a step output and writes the job summary. */
export async function run(): Promise<void> {
  await runOperation(definition, {
    execute: async (values) => {
      const prepared = prepareStack(values, coreReporter);
      const plan = await group(`Plan: stack ${values.stackName} (change set)`, () => planStack(prepared));
      return group(`Apply: stack ${values.stackName}`, () => applyStack(plan));
    },
    outputs: outputsOf,
    summary: stackSummaryMarkdown
  });
}
