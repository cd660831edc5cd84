/**
 * The demo's infrastructure part: the baseline templates provisioned into moto's CloudFormation through
 * deploy-stack, in dependency order (network → ecr → platform → service). moto needs two concessions, both
 * explicit (docs/templates.md): stacks are created with CreateStack (`createWithoutChangeSet`: moto's change
 * sets give created stacks no outputs or exports), and what moto skips (CloudFront, OAC, BucketPolicy, the
 * OIDC provider, Aurora) is not provisioned, so frontend.yml, database.yml and github-oidc.yml are not
 * deployed here. The ECS service the service stack creates lives in moto's ECS, which has no rollouts; the
 * demo mirrors it into the ECS rollout simulator under the same names.
 */
import path from 'node:path';
import type { Reporter } from '../lib/reporter.js';
import type { LocalAws } from '../local/local-aws.js';
import { projectRoot } from '../local/moto.js';
import { deployStack, stackSummaryMarkdown } from '../stacks/index.js';
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
    const result = await deployStack(
      {
        stackName,
        templateFile: path.join(TEMPLATES, file),
        parameters,
        capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
        createWithoutChangeSet: true,
        timeoutSeconds: 300,
        pollDelaySeconds: 1,
        aws: { region: local.region }
      },
      reporter
    );
    summary(stackSummaryMarkdown(result));
    outputs[stackName] = result.outputs;
    const names = Object.keys(result.outputs);
    lines.push(
      `stack ${stackName}: ${result.status}${names.length ? ` (outputs: ${names.join(', ')})` : ''}`
    );
  }
  return { lines, outputs };
}
