/**
 * The declared options of continue-deployment and stop-deployment (src/lib/options.ts): the operations
 * that act on a service deployment in flight.
 */
import { awsRegionOption } from '../lib/aws.js';
import { Duration } from '../lib/duration.js';
import { bool, defineOptions, duration, oneOf, text } from '../lib/options.js';
import { cluster, service } from './options.js';
import { WAIT_UNTIL } from './service-deployment.js';

/** A service deployment ARN. */
export const SERVICE_DEPLOYMENT_PATTERN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service-deployment\/[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]+$/;

const serviceDeploymentArn = {
  name: 'service-deployment-arn',
  type: text({
    pattern: SERVICE_DEPLOYMENT_PATTERN,
    placeholder: 'arn',
    patternDoc: 'a service deployment ARN (arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID)'
  }),
  doc: "The service deployment to act on; empty uses the service's current one (deploy-service's service-deployment-arn output)."
} as const;

const wait = {
  name: 'wait',
  type: bool(),
  default: true,
  doc: 'Follow the service deployment afterwards.'
} as const;

const timeout = {
  name: 'timeout-minutes',
  type: duration({ unit: 'minutes', min: 0.05, max: 720 }),
  default: Duration.minutes(30),
  doc: 'How long to wait.'
} as const;

const pollInterval = {
  name: 'poll-interval-seconds',
  type: duration({ unit: 'seconds', min: 1, max: 300, whole: true }),
  default: Duration.seconds(10),
  doc: 'The fixed time between two looks at the service deployment while waiting.'
} as const;

/** continue-deployment. */
export const continueOptions = defineOptions('continue-deployment', {
  cluster: { ...cluster, required: true },
  service: { ...service, required: true },
  serviceDeploymentArn,
  hookId: {
    name: 'hook-id',
    type: text({
      pattern: /^[A-Za-z0-9_.:/-]{1,256}$/,
      patternDoc: 'a lifecycle hook id',
      placeholder: 'id'
    }),
    doc: "The lifecycle hook to answer (deploy-service's hook-id output); empty answers the one hook AWAITING_ACTION."
  },
  action: {
    name: 'action',
    type: oneOf(['CONTINUE', 'ROLLBACK'] as const),
    default: 'CONTINUE',
    doc: 'CONTINUE lets the deployment go on to the next lifecycle stage; ROLLBACK rolls it back to the previous service revision.'
  },
  wait,
  waitUntil: {
    name: 'wait-until',
    type: oneOf(WAIT_UNTIL),
    default: 'completed',
    doc: 'After CONTINUE, wait until: completed (SUCCESSFUL), traffic-shifted (production traffic on the new revision) or paused (the next PAUSE hook). After ROLLBACK the wait is until the rollback settles.'
  },
  timeout,
  pollInterval,
  region: awsRegionOption
});

/** stop-deployment. */
export const stopOptions = defineOptions('stop-deployment', {
  cluster: { ...cluster, required: true },
  service: { ...service, required: true },
  serviceDeploymentArn,
  stopType: {
    name: 'stop-type',
    type: oneOf(['ROLLBACK', 'ABORT'] as const),
    default: 'ROLLBACK',
    doc: 'ROLLBACK returns the service to the revision it ran before; ABORT stops the deployment where it is.'
  },
  wait: { ...wait, doc: 'Wait until the stop or the rollback has settled.' },
  timeout,
  pollInterval,
  region: awsRegionOption
});

/**
 * The service half of `rollback` (src/ecs/rollback.ts): back to the task definition the service ran
 * before.
 */
export const rollbackServiceOptions = defineOptions('rollback-service', {
  cluster: { ...cluster, required: true },
  service: { ...service, required: true },
  wait: {
    ...wait,
    doc: 'Follow the rollback until it settles (ROLLBACK_SUCCESSFUL, or the rollback deployment COMPLETED).'
  },
  timeout,
  pollInterval,
  dryRun: {
    name: 'dry-run',
    type: bool(),
    default: false,
    doc: 'Say what would be rolled back, to what, and change nothing.'
  },
  region: awsRegionOption
});
