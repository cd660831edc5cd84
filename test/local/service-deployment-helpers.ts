/** Helpers for the service deployment tests: describe a service's current service deployment, poll it. */
import {
  DescribeServiceDeploymentsCommand,
  type ECSClient,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import { describe, waitFor } from './ecs-simulator-helpers.js';

export { createService } from './ecs-simulator-helpers.js';

export const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/0123456789abcdef';
export const TG_GREEN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/0123456789abcdef';
export const PROD_RULE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/alb/0123456789abcdef/0123456789abcdef/1111111111111111';
export const TEST_RULE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/alb/0123456789abcdef/0123456789abcdef/2222222222222222';
export const LB_ROLE = 'arn:aws:iam::123456789012:role/ecs-infrastructure-lb';
export const LAMBDA_ROLE = 'arn:aws:iam::123456789012:role/ecs-hook-invoke';

/** A load balancer entry with the advancedConfiguration blue/green, linear and canary need. */
export const advancedLoadBalancer = {
  targetGroupArn: TG,
  containerName: 'app',
  containerPort: 8000,
  advancedConfiguration: {
    alternateTargetGroupArn: TG_GREEN,
    productionListenerRule: PROD_RULE,
    testListenerRule: TEST_RULE,
    roleArn: LB_ROLE
  }
};

/** The service's current service deployment, described. */
export async function currentServiceDeployment(
  ecs: ECSClient,
  cluster: string,
  service: string
): Promise<ServiceDeployment> {
  const s = await describe(ecs, cluster, service);
  const arn = s.currentServiceDeployment;
  if (!arn) throw new Error(`service ${service} has no currentServiceDeployment`);
  return describeServiceDeployment(ecs, arn);
}

/** One service deployment, described. */
export async function describeServiceDeployment(ecs: ECSClient, arn: string): Promise<ServiceDeployment> {
  const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  const sd = out.serviceDeployments?.[0];
  if (!sd) throw new Error(`service deployment ${arn} not found: ${JSON.stringify(out.failures)}`);
  return sd;
}

/** Polls one service deployment until `done`; returns every distinct lifecycleStage seen, in order, too. */
export async function followServiceDeployment(
  ecs: ECSClient,
  arn: string,
  done: (sd: ServiceDeployment) => boolean,
  timeoutMs = 15000
): Promise<{ last: ServiceDeployment; stages: string[]; seen: ServiceDeployment[] }> {
  const stages: string[] = [];
  const seen: ServiceDeployment[] = [];
  const last = await waitFor(
    async () => {
      const sd = await describeServiceDeployment(ecs, arn);
      seen.push(sd);
      if (sd.lifecycleStage && stages[stages.length - 1] !== sd.lifecycleStage)
        stages.push(sd.lifecycleStage);
      return sd;
    },
    done,
    timeoutMs
  );
  return { last, stages, seen };
}
