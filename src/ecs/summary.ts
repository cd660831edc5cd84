/** Markdown job summaries for the ECS actions (GitHub renders them on the run page). */
import { arnName } from './client.js';
import type { DeployResult } from './deploy.js';
import type { RegisterResult } from './register.js';
import type { RunTaskResult } from './run-task.js';

const cell = (text: string | number | undefined) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

/** The register-task-definition summary: revision, images and the diff against the previous revision. */
export function registerSummaryMarkdown(result: RegisterResult): string {
  const lines = [
    `### Task definition ${cell(result.family)}`,
    '',
    result.changed
      ? `Registered **${cell(arnName(result.taskDefinitionArn))}**${result.previousArn ? ` (previous ${cell(arnName(result.previousArn))})` : ''}.`
      : `Unchanged: **${cell(arnName(result.taskDefinitionArn))}** already has this content; nothing registered.`,
    '',
    '| Container | Image |',
    '| --- | --- |',
    ...result.images.map((i) => `| ${cell(i.container)} | \`${cell(i.image)}\` |`)
  ];
  if (result.changes.length) {
    lines.push(
      '',
      '<details><summary>Changes from the previous revision</summary>',
      '',
      '| Field | Before | After |',
      '| --- | --- | --- |'
    );
    for (const c of result.changes)
      lines.push(`| \`${cell(c.path)}\` | ${cell(c.before ?? '–')} | ${cell(c.after ?? '–')} |`);
    lines.push('', '</details>');
  }
  if (result.preflight) {
    const p = result.preflight;
    lines.push(
      '',
      `Preflight: ${p.checked - p.unchecked.length} of ${p.checked} image(s), secret(s) and log group(s) present` +
        (p.skipped.length ? `, ${p.skipped.length} not checked by design` : '') +
        '.'
    );
    for (const line of p.unchecked) lines.push(`- ⚠️ ${cell(line)}`);
  }
  if (result.deregistered.length) {
    lines.push(
      '',
      `Deregistered old revisions: ${result.deregistered.map((a) => cell(arnName(a))).join(', ')}.`
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The deploy-service summary table, last events and failure reasons with hints. */
export function deploySummaryMarkdown(result: DeployResult): string {
  const icon = result.ok ? '✅' : '❌';
  const lines = [
    `### ${icon} ECS deploy: ${cell(result.service)}`,
    '',
    cell(result.message),
    '',
    '| | |',
    '| --- | --- |',
    `| Cluster | ${cell(result.cluster)} |`,
    `| Service | ${cell(result.service)} |`,
    `| Task definition | ${cell(arnName(result.previousTaskDefinitionArn))} → **${cell(arnName(result.taskDefinitionArn))}** |`,
    `| Images | ${result.images.map((i) => `${cell(i.container)}: \`${cell(i.image)}\``).join('<br>')} |`,
    `| Deployment | ${cell(result.deploymentId)} (${cell(result.rolloutState)}) |`,
    ...(result.serviceDeploymentArn
      ? [
          `| Service deployment | ${cell(arnName(result.serviceDeploymentArn))}: ${cell(result.status)}${result.lifecycleStage ? `, stage ${cell(result.lifecycleStage)}` : ''}${result.hookId ? `, paused at hook ${cell(result.hookId)}` : ''} |`
        ]
      : []),
    `| Duration | ${result.durationSeconds} s |`
  ];
  if (result.failures.length) {
    lines.push(
      '',
      '#### Why tasks stopped',
      '',
      '| Tasks | Reason | Exit code | Hint |',
      '| --- | --- | --- | --- |'
    );
    for (const f of result.failures) {
      lines.push(
        `| ${f.count} | ${cell(f.reason)}${f.containerReason ? ` (${cell(f.containerReason)})` : ''} | ${f.exitCode ?? '–'} | ${cell(f.hint ?? '')} |`
      );
    }
  }
  const last = result.events.slice(-10);
  if (last.length) {
    lines.push(
      '',
      '<details><summary>Last service events</summary>',
      '',
      ...last.map((e) => `- ${cell(e.at)} ${cell(e.message)}`),
      '',
      '</details>'
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The run-task summary: outcome, exit code and the container's last log lines. */
export function runTaskSummaryMarkdown(result: RunTaskResult): string {
  const lines = [
    `### ${result.ok ? '✅' : '❌'} One-off task`,
    '',
    cell(result.message),
    '',
    `| Task | Container | Exit code | Stopped reason |`,
    '| --- | --- | --- | --- |',
    `| ${cell(arnName(result.taskArn))} | ${cell(result.container)} | ${result.exitCode ?? '–'} | ${cell(result.stoppedReason ?? '')} |`
  ];
  if (result.hint) lines.push('', `Hint: ${cell(result.hint)}`);
  if (result.logLines.length) {
    lines.push(
      '',
      '<details><summary>Container log (last 50 lines)</summary>',
      '',
      '```',
      ...result.logLines.slice(-50),
      '```',
      '',
      '</details>'
    );
  }
  return `${lines.join('\n')}\n`;
}
