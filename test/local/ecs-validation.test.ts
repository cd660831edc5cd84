/**
 * Requests ECS refuses are refused by the simulator too, with ECS's error types and messages: botocore-model
 * checks (enum values, required members, JSON types), task sizes (Fargate cpu/memory pairs, awsvpc), launch type
 * against compatibilities, launchType xor capacityProviderStrategy, and deployment configuration per strategy.
 * Also: container health checks (HEALTHY, and the container-health-check-failure scenario).
 */
import { afterAll, beforeAll, beforeEach, describe as group, expect, test } from '@jest/globals';
import {
  ClientException,
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type CreateServiceCommandInput,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput
} from '@aws-sdk/client-ecs';
import { startEcsSimulator, type EcsSimulator } from '../../src/local/ecs-simulator/index.js';
import { expectConformance, keepExchanges } from '../helpers/botocore-model.js';
import { ecsClient, serviceTasks, taskDefinition, waitFor } from './ecs-simulator-helpers.js';
import { LAMBDA_ROLE, TG, advancedLoadBalancer } from './service-deployment-helpers.js';

let sim: EcsSimulator;
let ecs: ECSClient;
const cluster = 'v';
const kept = keepExchanges(() => sim);

beforeAll(async () => {
  sim = await startEcsSimulator({ taskPhaseMs: 40 });
  ecs = ecsClient(sim.endpoint);
});
afterAll(async () => {
  ecs.destroy();
  await sim.stop();
  expectConformance(kept.all());
});
beforeEach(async () => {
  kept.save();
  sim.reset();
  await ecs.send(
    new CreateClusterCommand({ clusterName: cluster, capacityProviders: ['FARGATE', 'FARGATE_SPOT'] })
  );
});

/** One raw JSON 1.1 call (for values the SDK's types would not let through). */
async function raw(operation: string, body: unknown) {
  const res = await fetch(sim.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonEC2ContainerServiceV20141113.${operation}`
    },
    body: JSON.stringify(body)
  });
  return { status: res.status, json: (await res.json()) as { __type?: string; message?: string } };
}

async function refusal(command: Promise<unknown>): Promise<{ name: string; message: string }> {
  const error = (await command.then(
    () => undefined,
    (e: unknown) => e
  )) as Error | undefined;
  if (!error) throw new Error('the request was accepted');
  return { name: error.name, message: error.message };
}

const register = (input: Partial<RegisterTaskDefinitionCommandInput>) =>
  ecs.send(new RegisterTaskDefinitionCommand({ ...taskDefinition('td', 'app:1'), ...input }));

group('task sizes (RegisterTaskDefinition)', () => {
  test.each([
    [{ cpu: undefined }, "Fargate requires that 'cpu' be defined at the task level."],
    [{ memory: undefined }, "Fargate requires that 'memory' be defined at the task level."],
    [
      { cpu: '256', memory: '4096' },
      'No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.'
    ],
    [
      { cpu: '1024', memory: '1024' },
      'No Fargate configuration exists for given values: 1024 CPU, 1024 memory. See the Amazon ECS documentation for the valid values.'
    ],
    [{ networkMode: 'bridge' as const }, 'Fargate only supports network mode ‘awsvpc’.'],
    [{ networkMode: undefined }, 'Fargate only supports network mode ‘awsvpc’.']
  ])('Fargate %j is refused: %s', async (change, message) => {
    await expect(refusal(register(change))).resolves.toEqual({ name: 'ClientException', message });
  });

  test('vCPU and GB units are stored as CPU units and MiB; a valid pair is FARGATE-compatible', async () => {
    const out = await register({ cpu: '1 vCPU', memory: '3 GB' });
    expect(out.taskDefinition).toMatchObject({
      cpu: '1024',
      memory: '3072',
      compatibilities: ['EC2', 'FARGATE']
    });
    const big = await register({ cpu: '8192', memory: '20480' });
    expect(big.taskDefinition?.compatibilities).toContain('FARGATE');
  });

  test('without task memory every container needs memory or memoryReservation', async () => {
    const error = await refusal(
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'ec2',
          containerDefinitions: [{ name: 'c', image: 'i' }]
        })
      )
    );
    expect(error).toEqual({
      name: 'ClientException',
      message:
        "Invalid setting for container 'c'. At least one of 'memory' or 'memoryReservation' must be specified."
    });
    const ok = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'ec2',
        containerDefinitions: [{ name: 'c', image: 'i', memory: 256 }]
      })
    );
    expect(ok.taskDefinition?.compatibilities).toEqual(['EC2']);
  });

  test('an enum value outside the model is refused, in ECS wording', async () => {
    const res = await raw('RegisterTaskDefinition', {
      ...taskDefinition('td', 'app:1'),
      networkMode: 'awsvpc2'
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      __type: 'ClientException',
      message: 'networkMode should be one of [bridge,host,awsvpc,none]'
    });
  });
});

group('CreateService and RunTask placement', () => {
  let fargate: string;
  let bridge: string;
  beforeEach(async () => {
    fargate = (await register({})).taskDefinition!.taskDefinitionArn!;
    bridge = (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'bridge',
          networkMode: 'bridge',
          memory: '512',
          containerDefinitions: [{ name: 'app', image: 'app:1' }]
        })
      )
    ).taskDefinition!.taskDefinitionArn!;
  });
  const network = { awsvpcConfiguration: { subnets: ['subnet-1'] } };
  const create = (input: Partial<CreateServiceCommandInput>) =>
    ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 's',
        taskDefinition: fargate,
        desiredCount: 1,
        networkConfiguration: network,
        ...input
      })
    );

  test('launchType together with capacityProviderStrategy is refused (CreateService and RunTask)', async () => {
    const message =
      'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.';
    const both = {
      launchType: 'FARGATE' as const,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }]
    };
    await expect(refusal(create(both))).resolves.toEqual({ name: 'InvalidParameterException', message });
    await expect(
      refusal(
        ecs.send(
          new RunTaskCommand({ cluster, taskDefinition: fargate, networkConfiguration: network, ...both })
        )
      )
    ).resolves.toEqual({ name: 'InvalidParameterException', message });
  });

  test('a launch type the task definition does not support is refused', async () => {
    await expect(
      refusal(create({ taskDefinition: bridge, launchType: 'FARGATE', networkConfiguration: undefined }))
    ).resolves.toEqual({
      name: 'InvalidParameterException',
      message: 'Task definition does not support launch_type FARGATE.'
    });
  });

  test('a capacity provider the cluster does not have is refused; FARGATE_SPOT tasks run as FARGATE', async () => {
    const error = await refusal(
      create({ capacityProviderStrategy: [{ capacityProvider: 'ghost', weight: 1 }] })
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(/not associated with the cluster/);
    const out = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: fargate,
        networkConfiguration: network,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]
      })
    );
    expect(out.tasks?.[0]?.launchType).toBe('FARGATE');
  });

  test('networkConfiguration for a non-awsvpc task definition is refused', async () => {
    await expect(refusal(create({ taskDefinition: bridge, launchType: 'EC2' }))).resolves.toEqual({
      name: 'InvalidParameterException',
      message: 'Network Configuration is not valid for the given networkMode of this task definition.'
    });
  });

  test('model checks: enum values, required members, JSON types', async () => {
    const base = {
      cluster,
      serviceName: 's',
      taskDefinition: fargate,
      desiredCount: 1,
      networkConfiguration: network
    };
    expect((await raw('CreateService', { ...base, launchType: 'SERVERLESS' })).json).toEqual({
      __type: 'InvalidParameterException',
      message: 'launchType should be one of [EC2,FARGATE,EXTERNAL,MANAGED_INSTANCES]'
    });
    expect(
      (
        await raw('CreateService', {
          ...base,
          deploymentConfiguration: { deploymentCircuitBreaker: { enable: true } }
        })
      ).json
    ).toEqual({
      __type: 'InvalidParameterException',
      message: 'deploymentConfiguration.deploymentCircuitBreaker.rollback must be specified.'
    });
    expect((await raw('CreateService', { ...base, desiredCount: '1' })).json.__type).toBe(
      'SerializationException'
    );
    expect(
      (await raw('CreateService', { ...base, deploymentConfiguration: { strategy: 'ROLLOUT' } })).json.message
    ).toBe('deploymentConfiguration.strategy should be one of [ROLLING,BLUE_GREEN,LINEAR,CANARY]');
  });

  test.each<[string, Partial<CreateServiceCommandInput>, RegExp]>([
    [
      'BLUE_GREEN without bakeTimeInMinutes',
      { deploymentConfiguration: { strategy: 'BLUE_GREEN' } },
      /bakeTimeInMinutes must be specified/
    ],
    [
      'linearConfiguration with BLUE_GREEN',
      {
        deploymentConfiguration: {
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 1,
          linearConfiguration: { stepPercent: 10 }
        }
      },
      /only valid when the deployment strategy is LINEAR/
    ],
    [
      'stepPercent below 3',
      {
        deploymentConfiguration: { strategy: 'LINEAR', linearConfiguration: { stepPercent: 2 } },
        loadBalancers: [advancedLoadBalancer]
      },
      /stepPercent must be between 3 and 100/
    ],
    [
      'LINEAR without a load balancer',
      { deploymentConfiguration: { strategy: 'LINEAR' } },
      /needs a load balancer/
    ],
    [
      'BLUE_GREEN target group without advancedConfiguration',
      {
        deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 },
        loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 8000 }]
      },
      /advancedConfiguration.alternateTargetGroupArn must be specified/
    ],
    [
      'lifecycle hooks on ROLLING',
      {
        deploymentConfiguration: {
          lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRE_SCALE_UP'] }]
        }
      },
      /BLUE_GREEN, LINEAR and CANARY deployment strategies only/
    ],
    [
      'a PAUSE hook at PRODUCTION_TRAFFIC_SHIFT',
      {
        deploymentConfiguration: {
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 1,
          lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }]
        }
      },
      /PAUSE hooks cannot be configured at PRODUCTION_TRAFFIC_SHIFT/
    ],
    [
      'a Lambda hook without a role',
      {
        deploymentConfiguration: {
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 1,
          lifecycleHooks: [
            {
              hookTargetArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
              lifecycleStages: ['PRE_SCALE_UP']
            }
          ]
        }
      },
      /roleArn must be specified/
    ],
    [
      'alarms enabled without names',
      { deploymentConfiguration: { alarms: { alarmNames: [], enable: true, rollback: true } } },
      /alarmNames must name at least one alarm/
    ]
  ])('deployment configuration: %s is refused', async (_name, input, message) => {
    const error = await refusal(create({ launchType: 'FARGATE', ...input }));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(message);
  });

  test('a valid CANARY service with a Lambda hook is accepted', async () => {
    const out = await create({
      launchType: 'FARGATE',
      loadBalancers: [advancedLoadBalancer],
      deploymentConfiguration: {
        strategy: 'CANARY',
        canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: 10 },
        lifecycleHooks: [
          {
            hookTargetArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
            roleArn: LAMBDA_ROLE,
            lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT']
          }
        ]
      }
    });
    expect(out.service?.deploymentConfiguration?.strategy).toBe('CANARY');
  });
});

group('container health checks', () => {
  const withHealthCheck = () =>
    taskDefinition('hc', 'hc:1', {
      containerDefinitions: [
        {
          name: 'app',
          image: 'hc:1',
          healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8000/ || exit 1'], startPeriod: 10 }
        }
      ]
    });

  test('a passing health check reports HEALTHY on the container and the task', async () => {
    const td = (await ecs.send(new RegisterTaskDefinitionCommand(withHealthCheck()))).taskDefinition!
      .taskDefinitionArn!;
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'ok',
        taskDefinition: td,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } }
      })
    );
    const [task] = await waitFor(
      () => serviceTasks(ecs, cluster, 'ok', 'RUNNING'),
      (tasks) => tasks[0]?.healthStatus === 'HEALTHY'
    );
    expect(task!.containers?.[0]?.healthStatus).toBe('HEALTHY');
  });

  test('container-health-check-failure: UNHEALTHY, then "Task failed container health checks"', async () => {
    sim.addFailure({ image: 'hc:1', scenario: 'container-health-check-failure' });
    const td = (await ecs.send(new RegisterTaskDefinitionCommand(withHealthCheck()))).taskDefinition!
      .taskDefinitionArn!;
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'sick',
        taskDefinition: td,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } }
      })
    );
    const [stopped] = await waitFor(
      () => serviceTasks(ecs, cluster, 'sick', 'STOPPED'),
      (tasks) => tasks.length > 0
    );
    const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [stopped!.taskArn!] }));
    expect(described.tasks?.[0]).toMatchObject({
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Task failed container health checks',
      healthStatus: 'UNHEALTHY'
    });
    expect(described.tasks?.[0]?.containers?.[0]?.healthStatus).toBe('UNHEALTHY');
  });

  test('the scenario does nothing to a container without a healthCheck', async () => {
    sim.addFailure({ image: 'plain', scenario: 'container-health-check-failure' });
    const td = (await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('plain', 'plain:1'))))
      .taskDefinition!.taskDefinitionArn!;
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'plain',
        taskDefinition: td,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } }
      })
    );
    const [task] = await waitFor(
      () => serviceTasks(ecs, cluster, 'plain', 'RUNNING'),
      (tasks) => tasks[0]?.lastStatus === 'RUNNING'
    );
    expect(task!.healthStatus).toBe('UNKNOWN');
  });
});

test('ClientException and InvalidParameterException are the SDK classes', async () => {
  await expect(register({ cpu: undefined })).rejects.toBeInstanceOf(ClientException);
  await expect(
    ecs.send(new CreateServiceCommand({ cluster, serviceName: 's', taskDefinition: 'nope', desiredCount: 1 }))
  ).rejects.toBeInstanceOf(InvalidParameterException);
});
