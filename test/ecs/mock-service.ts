/** The service the mocked deployService tests describe: `app`, running app:7 with one COMPLETED deployment. */
import type { DescribeTaskDefinitionCommandOutput, Service } from '@aws-sdk/client-ecs';

export const TD_OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:7';
export const TD_NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:8';

/** A DescribeServices/UpdateService `service` for `app`, with `over` replacing fields. */
export const service = (over: Partial<Service> = {}): Service => ({
  serviceName: 'app',
  status: 'ACTIVE',
  taskDefinition: TD_OLD,
  events: [{ id: 'old-event', message: '(service app) has reached a steady state.', createdAt: new Date(0) }],
  deployments: [
    {
      id: 'ecs-svc/1',
      status: 'PRIMARY',
      taskDefinition: TD_OLD,
      rolloutState: 'COMPLETED',
      desiredCount: 2,
      runningCount: 2
    }
  ],
  ...over
});

/** DescribeTaskDefinition's answer for app:8. */
export const DESCRIBED_NEW: Partial<DescribeTaskDefinitionCommandOutput> = {
  taskDefinition: {
    taskDefinitionArn: TD_NEW,
    status: 'ACTIVE',
    containerDefinitions: [{ name: 'api', image: 'api:2' }]
  }
};
