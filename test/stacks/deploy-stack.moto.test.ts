/**
 * deploy-stack's bundle, run as the runner runs it, against moto's CloudFormation over HTTP.
 * moto limits (docs/templates.md): stacks created through a change set get no outputs or exports, and a
 * CREATE change set cannot resolve Fn::ImportValue; so stacks whose outputs are used are created with
 * create-without-change-set, and every update goes through a change set. moto also corrupts network.yml's
 * stack on an update that passes its unchanged parameters (DescribeStacks then fails with HTTP 500), so
 * the update case runs on ecr.yml.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  ListChangeSetsCommand
} from '@aws-sdk/client-cloudformation';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeClustersCommand, DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { startMoto, type MotoServer } from '../../src/local/moto.js';
import { runActionBundle } from '../helpers/action.js';

let moto: MotoServer;
let env: Record<string, string>;
const sdk = () => ({
  region: 'us-east-1',
  endpoint: moto.endpoint,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
});

beforeAll(async () => {
  moto = await startMoto();
  env = { AWS_ENDPOINT_URL: moto.endpoint };
});
afterAll(async () => {
  await moto?.stop();
});

/** Logical IDs of the resources moto created for a stack. */
async function logicalIds(stackName: string): Promise<string[]> {
  const cf = new CloudFormationClient(sdk());
  const out = await cf.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  cf.destroy();
  return (out.StackResources ?? []).map((r) => r.LogicalResourceId ?? '');
}

describe('deploy-stack on moto CloudFormation', () => {
  let vpcId = '';

  test('creates network.yml and returns every stack output as an action output', async () => {
    const run = await runActionBundle(
      'deploy-stack',
      {
        'stack-name': 'twotier-network',
        template: 'templates/network.yml',
        parameters: 'EnvironmentName=twotier\nEgressMode=single-nat',
        tags: 'project=twotier',
        'create-without-change-set': 'true'
      },
      env
    );
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe('CREATE_COMPLETE');
    expect(run.outputs.changed).toBe('true');
    expect(run.outputs['stack-id']).toMatch(
      /^arn:aws:cloudformation:us-east-1:\d{12}:stack\/twotier-network\//
    );
    expect(run.outputs.VpcId).toMatch(/^vpc-/);
    expect(run.outputs.PrivateSubnets?.split(',')).toHaveLength(2);
    expect(run.outputs.EgressMode).toBe('single-nat');
    expect(run.summary).toContain('CREATE_COMPLETE');
    expect(run.summary).toContain('| VpcId |');
    vpcId = run.outputs.VpcId ?? '';
  });

  test('a second run with the same template and parameters is success without execution', async () => {
    const run = await runActionBundle(
      'deploy-stack',
      {
        'stack-name': 'twotier-network',
        template: 'templates/network.yml',
        parameters: 'EnvironmentName=twotier\nEgressMode=single-nat',
        tags: 'project=twotier'
      },
      env
    );
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe('NO_CHANGES');
    expect(run.outputs.changed).toBe('false');
    expect(run.outputs.VpcId).toBe(vpcId);
    expect(run.summary).toContain('No changes');
    // the empty change set was deleted
    const cf = new CloudFormationClient(sdk());
    const sets = await cf.send(new ListChangeSetsCommand({ StackName: 'twotier-network' }));
    expect((sets.Summaries ?? []).filter((s) => s.Status === 'FAILED')).toEqual([]);
  });

  test('creates ecr.yml through a CREATE change set and lists the added resources', async () => {
    const run = await runActionBundle(
      'deploy-stack',
      { 'stack-name': 'twotier-ecr', template: 'templates/ecr.yml', 'change-set-name': 'ecr-first' },
      env
    );
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe('CREATE_COMPLETE');
    expect(run.outputs['change-set-id']).toMatch(/:changeSet\/ecr-first\//);
    expect(run.summary).toMatch(/\| Add \| ApiRepository \| AWS::ECR::Repository \|/);
    expect(run.summary).toMatch(/\| Add \| WebRepository \| AWS::ECR::Repository \|/);
    const ecr = new ECRClient(sdk());
    const repos = await ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: ['twotier/api', 'twotier/web'] })
    );
    // moto's CloudFormation drops ImageScanningConfiguration and the tag-mutability exclusions; the
    // repositories themselves are what it provisions.
    expect(repos.repositories?.map((r) => r.repositoryName).sort()).toEqual(['twotier/api', 'twotier/web']);
  });

  test('an update of ecr.yml goes through an UPDATE change set and is executed', async () => {
    const run = await runActionBundle(
      'deploy-stack',
      {
        'stack-name': 'twotier-ecr',
        template: 'templates/ecr.yml',
        parameters: 'KeepImages=20',
        'timeout-minutes': '2'
      },
      env
    );
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.status).toBe('UPDATE_COMPLETE');
    expect(run.outputs.changed).toBe('true');
    expect(run.outputs['change-set-id']).toMatch(/:changeSet\/twotier-/);
    expect(run.stdout).toContain('will be updated');
  });

  test('platform.yml and service.yml (sidecar) chain through the exports', async () => {
    const platform = await runActionBundle(
      'deploy-stack',
      {
        'stack-name': 'twotier-platform',
        template: 'templates/platform.yml',
        'create-without-change-set': 'true'
      },
      env
    );
    expect(platform.errors).toEqual([]);
    expect(platform.outputs.ClusterName).toBe('twotier');
    expect(platform.outputs.PublicListenerArn).toMatch(/:listener\/app\//);
    // the test listener (EnableTestListener defaults to true) for the traffic-shifting strategies
    expect(platform.outputs.PublicTestListenerArn).toMatch(/:listener\/app\//);
    expect(platform.outputs.PublicTestListenerArn).not.toBe(platform.outputs.PublicListenerArn);
    expect(platform.outputs.PublicTestUrl).toMatch(/^http:\/\/.+:9000$/);
    const ecs = new ECSClient(sdk());
    const clusters = await ecs.send(new DescribeClustersCommand({ clusters: ['twotier'] }));
    expect(clusters.clusters?.[0]?.status).toBe('ACTIVE');

    const service = await runActionBundle(
      'deploy-stack',
      {
        'stack-name': 'twotier-service',
        template: 'templates/service.yml',
        parameters: 'Topology=sidecar\nWebImage=nginx:1.27\nApiImage=python:3.12-slim',
        'create-without-change-set': 'true'
      },
      env
    );
    expect(service.errors).toEqual([]);
    expect(service.outputs.status).toBe('CREATE_COMPLETE');
    expect(service.outputs.ServiceName).toBe('twotier-sidecar');
    expect(service.outputs.TaskFamily).toBe('twotier-sidecar');
    const services = await ecs.send(
      new DescribeServicesCommand({ cluster: 'twotier', services: ['twotier-sidecar'] })
    );
    expect(services.services?.[0]?.desiredCount).toBe(1);
    // ROLLING (the default) creates none of the traffic-shifting resources
    expect(service.outputs.DeploymentStrategy).toBe('ROLLING');
    expect(service.outputs.ProductionListenerRuleArn).toMatch(/:listener-rule\/app\//);
    expect(service.outputs.DeploymentAlarmNames).toBe('twotier-twotier-web-5xx,twotier-twotier-web-latency');
    for (const name of ['AlternateTargetGroupArn', 'TestListenerRuleArn', 'InfrastructureRoleArn'])
      expect(service.outputs).not.toHaveProperty(name);
    expect(await logicalIds('twotier-service')).not.toEqual(
      expect.arrayContaining(['WebAlternateTargetGroup'])
    );
  });

  test('service.yml with DeploymentStrategy=BLUE_GREEN (split) adds the alternate target groups, the test and api rules and the infrastructure role', async () => {
    const run = await runActionBundle(
      'deploy-stack',
      {
        'stack-name': 'twotier-service-bg',
        template: 'templates/service.yml',
        parameters: [
          'AppName=bg',
          'Topology=split',
          'DeploymentStrategy=BLUE_GREEN',
          'ListenerRulePriority=200',
          'WebImage=nginx:1.27',
          'ApiImage=python:3.12-slim'
        ].join('\n'),
        'create-without-change-set': 'true'
      },
      env
    );
    expect(run.errors).toEqual([]);
    expect(run.outputs.status).toBe('CREATE_COMPLETE');
    expect(run.outputs.DeploymentStrategy).toBe('BLUE_GREEN');
    expect(run.outputs.InfrastructureRoleArn).toMatch(
      /^arn:aws:iam::\d{12}:role\/twotier\/ecs-infrastructure\//
    );
    expect(run.outputs.AlternateTargetGroupArn).toMatch(/:targetgroup\//);
    expect(run.outputs.AlternateTargetGroupArn).not.toBe(run.outputs.TargetGroupArn);
    expect(run.outputs.TestListenerRuleArn).toMatch(/:listener-rule\/app\//);
    expect(run.outputs.DeploymentAlarmNames?.split(',')).toEqual([
      'twotier-bg-web-5xx',
      'twotier-bg-web-latency',
      'twotier-bg-web-5xx-alternate',
      'twotier-bg-web-latency-alternate'
    ]);
    expect(run.outputs.ApiDeploymentAlarmNames?.split(',')).toHaveLength(4);
    const ids = await logicalIds('twotier-service-bg');
    expect(ids).toEqual(
      expect.arrayContaining([
        'WebAlternateTargetGroup',
        'WebTestListenerRule',
        'ApiAlternateTargetGroup',
        'InternalListenerRule',
        'EcsInfrastructureRole',
        'WebService',
        'ApiService'
      ])
    );
    // moto's CloudFormation has no AWS::CloudWatch::Alarm: the alarms are skipped (docs/templates.md)
    expect(ids.filter((id) => id.endsWith('Alarm'))).toEqual([]);
  });

  test('a bad parameter name fails before any AWS call, naming the parameter', async () => {
    const run = await runActionBundle(
      'deploy-stack',
      {
        'stack-name': 'twotier-network',
        template: 'templates/network.yml',
        parameters: 'EgresMode=endpoints'
      },
      env
    );
    expect(run.code).toBe(1);
    expect(run.errors.join('\n')).toContain(
      'Configuration error: parameters: "EgresMode" is not a parameter of templates/network.yml'
    );
  });
});
