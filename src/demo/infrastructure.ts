/**
 * The demo's infrastructure part: the baseline templates provisioned into moto's CloudFormation through
 * deploy-stack, in dependency order (network → ecr → platform → service). moto needs two concessions, both
 * explicit (docs/templates.md): stacks are created with CreateStack (`createWithoutChangeSet`: moto's change
 * sets give created stacks no outputs or exports), and what moto skips (CloudFront, OAC, BucketPolicy, the
 * OIDC provider, Aurora) is not provisioned, so frontend.yml, database.yml and github-oidc.yml are not
 * deployed here. The ECS service the service stack creates lives in moto's ECS, which has no rollouts; the
 * demo mirrors it into the ECS rollout simulator under the same names.
 */
import { Duration } from '../lib/duration.js';
import path from 'node:path';
import type { Reporter } from '../lib/reporter.js';
import type { LocalAws } from '../local/local-aws.js';
import { projectRoot } from '../local/moto.js';
import { applyStack, planStack, prepareStack } from '../stacks/deploy.js';
import { stackSummaryMarkdown } from '../stacks/summary.js';
import type { Topology } from './backend-fixture.js';

const TEMPLATES = path.join(projectRoot, 'templates');

/** What the demo takes from the stacks: one overview line per stack, and every stack's outputs. */
export interface Infrastructure {
  lines: string[];
  outputs: Record<string, Record<string, string>>;
}

/** Deploys the baseline stacks in dependency order. */
export async function provisionInfrastructure(
  local: LocalAws,
  topology: Topology,
  images: { api: string; web: string },
  reporter: Reporter,
  summary: (markdown: string) => void
): Promise<Infrastructure> {
  const stacks: [string, string, Record<string, string>][] = [
    ['twotier-network', 'network.yml', { EnvironmentName: 'twotier', EgressMode: 'single-nat' }],
    ['twotier-ecr', 'ecr.yml', { EnvironmentName: 'twotier' }],
    ['twotier-platform', 'platform.yml', { EnvironmentName: 'twotier' }],
    [
      'twotier-service',
      'service.yml',
      {
        EnvironmentName: 'twotier',
        Topology: topology,
        ApiImage: images.api,
        WebImage: images.web,
        DesiredCount: '2'
      }
    ]
  ];
  const lines: string[] = [];
  const outputs: Record<string, Record<string, string>> = {};
  for (const [stackName, file, parameters] of stacks) {
    reporter.info(`templates/${file} → stack ${stackName}`);
    const prepared = prepareStack(
      {
        stackName,
        template: path.join(TEMPLATES, file),
        parameters,
        capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
        createWithoutChangeSet: true,
        timeout: Duration.minutes(5),
        pollDelaySeconds: 1,
        region: local.region
      },
      reporter
    );
    const plan = await reporter.group(`Plan: stack ${stackName}`, () => planStack(prepared));
    const result = await reporter.group(`Apply: stack ${stackName}`, () => applyStack(plan));
    summary(stackSummaryMarkdown(result));
    outputs[stackName] = result.outputs;
    const names = Object.keys(result.outputs);
    lines.push(
      `stack ${stackName}: ${result.status}${names.length ? ` (outputs: ${names.join(', ')})` : ''}`
    );
  }
  return { lines, outputs };
}
