/**
 * The embedded local AWS: moto server (S3, CloudFront, ECR, CloudFormation, Logs, ...) plus the ECS rollout
 * simulator, wired so that the simulator writes container logs into moto's CloudWatch Logs and reads deployment
 * alarms from moto's CloudWatch (a test sets an alarm with SetAlarmState). `env` is what a
 * child process (an action bundle, the CLI) needs to use it: the standard AWS_ENDPOINT_URL variables.
 */
import { startMoto, type MotoServer } from './moto.js';
import { startEcsSimulator, type EcsSimulator, type EcsSimulatorOptions } from './ecs-simulator/index.js';

/** A running local AWS. */
export interface LocalAws {
  moto: MotoServer;
  ecs: EcsSimulator;
  region: string;
  /** Environment for processes that should talk to it (endpoints, region, dummy credentials). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts moto and the ECS simulator on 127.0.0.1. */
export async function startLocalAws(
  options: Omit<EcsSimulatorOptions, 'logsEndpoint' | 'cloudwatchEndpoint'> = {}
): Promise<LocalAws> {
  const moto = await startMoto();
  let ecs: EcsSimulator;
  try {
    ecs = await startEcsSimulator({
      ...options,
      logsEndpoint: moto.endpoint,
      cloudwatchEndpoint: moto.endpoint
    });
  } catch (error) {
    await moto.stop();
    throw error;
  }
  const region = options.region ?? 'us-east-1';
  return {
    moto,
    ecs,
    region,
    env: {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ENDPOINT_URL_ECS: ecs.endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true'
    },
    async stop() {
      await ecs.stop();
      await moto.stop();
    }
  };
}
