/** Markdown job summaries of continue-deployment and stop-deployment. */
import { arnName } from './client.js';
import type { ControlResult } from './control.js';

const cell = (text: string | undefined) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

/** The summary: what was sent, how the service deployment ended, and the events seen. */
export function controlSummaryMarkdown(result: ControlResult): string {
  const lines = [
    `### ${result.ok ? '✅' : '❌'} ${cell(result.action)} → ${cell(arnName(result.serviceDeploymentArn))} (${cell(result.service)})`,
    '',
    '| | |',
    '| --- | --- |',
    `| Service deployment | \`${cell(result.serviceDeploymentArn)}\` |`,
    ...(result.hookId ? [`| Hook answered | ${cell(result.hookId)} |`] : []),
    `| Status | ${cell(result.status)} |`,
    `| Lifecycle stage | ${cell(result.lifecycleStage ?? '–')} |`,
    ...(result.nextHookId ? [`| Paused at hook | ${cell(result.nextHookId)} |`] : []),
    '',
    cell(result.message)
  ];
  if (result.events.length) {
    lines.push('', '<details><summary>Service events</summary>', '');
    for (const e of result.events.slice(-20)) lines.push(`- ${cell(e.at)} ${cell(e.message)}`);
    lines.push('', '</details>');
  }
  return `${lines.join('\n')}\n`;
}
