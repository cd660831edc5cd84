/** The markdown a deploy-stack run leaves in the job summary (and the CLI prints). */
import { NO_RESOURCE_CHANGES } from './change-set.js';
import type { DeployStackResult } from './types.js';

const ICON: Record<string, string> = { Add: '➕', Modify: '✏️', Remove: '➖', Import: '📥', Dynamic: '❔' };

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Markdown for one deploy-stack run: status line, the change set (action, logical ID, type, physical ID,
 * replacement), the failed resources with their reasons, and the stack outputs.
 */
export function stackSummaryMarkdown(result: DeployStackResult): string {
  const lines: string[] = [];
  const ok =
    /_COMPLETE$|^NO_CHANGES$|^CHANGE_SET_CREATED$/.test(result.status) && !/ROLLBACK/.test(result.status);
  lines.push(`### ${ok ? '✅' : '❌'} Stack \`${result.stackName}\`: ${result.status}`);
  lines.push('');
  const how =
    result.method === 'create-stack'
      ? 'created with CreateStack (no change set)'
      : result.changeSetName
        ? `change set \`${result.changeSetName}\` (${result.operation})${result.executed ? ', executed' : ', not executed'}`
        : result.operation;
  lines.push(`${how}.`);
  if (result.status === 'NO_CHANGES')
    lines.push('', 'No changes: the template and parameters match the stack.');
  if (result.changes.length) {
    lines.push(
      '',
      '| | Action | Logical ID | Type | Physical ID | Replacement |',
      '|---|---|---|---|---|---|'
    );
    for (const c of result.changes) {
      lines.push(
        `| ${ICON[c.action] ?? ''} | ${c.action} | ${cell(c.logicalId)} | ${cell(c.resourceType)} | ${cell(c.physicalId)} | ${c.replacement ?? ''} |`
      );
    }
  } else if (result.changed && result.method === 'change-set') {
    lines.push('', NO_RESOURCE_CHANGES);
  }
  if (result.failures.length) {
    lines.push(
      '',
      '#### Failed resources',
      '',
      '| Logical ID | Type | Status | Reason |',
      '|---|---|---|---|'
    );
    for (const f of result.failures) {
      lines.push(`| ${cell(f.logicalId)} | ${cell(f.resourceType)} | ${f.status} | ${cell(f.reason)} |`);
    }
  }
  const outputs = Object.entries(result.outputs);
  if (outputs.length) {
    lines.push('', '#### Outputs', '', '| Output | Value |', '|---|---|');
    for (const [key, value] of outputs) lines.push(`| ${key} | \`${cell(value)}\` |`);
  }
  return `${lines.join('\n')}\n`;
}
