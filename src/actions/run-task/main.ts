/** The run-task action: declared inputs → runTask → outputs + job summary. */
import { runTaskOptions } from '../../ecs/options.js';
import { runTask } from '../../ecs/run-task.js';
import { runTaskSummaryMarkdown } from '../../ecs/summary.js';
import { defineAction } from '../definition.js';
import { coreReporter, group, runOperation } from '../runtime.js';

/** run-task's inputs (the ECS library's `runTaskOptions`) and outputs. */
export const definition = defineAction({
  name: 'run-task',
  options: runTaskOptions,
  outputs: {
    'task-arn':
      'ARN of the task started (set whenever a task was started, also when it failed or timed out).',
    'exit-code': 'Exit code of the container (empty when it never started or was not waited for).',
    'stopped-reason': "The task's stoppedReason."
  }
});

/** Runs the run-task action: runs the one-off task, sets outputs and the job summary; fails the step on a non-zero exit, a task that never started, or a timeout. */
export async function run(): Promise<void> {
  await runOperation(definition, {
    execute: (values) => group('Run one-off task', () => runTask(values, coreReporter)),
    outputs: (result) => ({
      'task-arn': result.taskArn,
      'exit-code': result.exitCode,
      'stopped-reason': result.stoppedReason
    }),
    summary: runTaskSummaryMarkdown,
    done: (result) => result.message
  });
}
