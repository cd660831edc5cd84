/**
 * The shapes of deploy-stack: what deployStack is asked to do (DeployStackOptions), the validated form the
 * AWS calls use (PreparedDeployment), and what it did (DeployStackResult with its change rows and failures).
 */
import type { Capability } from '@aws-sdk/client-cloudformation';
import type { AwsOptions } from '../lib/aws.js';
import type { InputOf } from '../lib/options.js';
import type { stackOptions } from './options.js';
import type { TemplateParameter } from './template.js';

/** CREATE for a stack that does not exist yet, UPDATE for an existing one. */
export type StackOperation = 'CREATE' | 'UPDATE';

/**
 * What deployStack is asked to do: the declared options (src/stacks/options.ts `stackOptions`: stackName,
 * template, parameters, parametersFile, capabilities, tags, terminationProtection, noExecute, roleArn,
 * createWithoutChangeSet, changeSetName, timeout, region, endpoint) and the runtime settings below.
 */
export type DeployStackOptions = InputOf<typeof stackOptions> & {
  /** Shortest pause between DescribeStacks/DescribeChangeSet polls, in seconds (SDK waiter minDelay). Default 5. */
  pollDelaySeconds?: number;
  /** Attempts per request including the first (SDK standard retry mode). Default 5. */
  maxAttempts?: number;
};

/** A validated deployment, ready for the AWS calls. */
export interface PreparedDeployment {
  stackName: string;
  templateBody?: string;
  templateUrl?: string;
  /** The template's parameters (empty for a template URL, which is not read locally). */
  templateParameters: Record<string, TemplateParameter>;
  /** Given values; null means UsePreviousValue. */
  parameters: Record<string, string | null>;
  capabilities: Capability[];
  tags: Record<string, string>;
  execute: boolean;
  changeSetName: string;
  timeoutSeconds: number;
  pollDelaySeconds: number;
  /** Turn termination protection on or off after the deploy; undefined leaves it as it is. */
  terminationProtection?: boolean;
  /** The role CloudFormation assumes (the stack's service role). */
  roleArn?: string;
  /** Create a new stack with CreateStack instead of a CREATE change set. */
  createWithoutChangeSet: boolean;
  /** Region, endpoint override, retries. */
  aws: AwsOptions;
  /**
   * What the local checks accepted without being able to check (a registry resource type, a pattern
   * JavaScript cannot reproduce), for `reporter.warn`.
   */
  warnings: string[];
}

/** One resource change of a change set. */
export interface ResourceChangeRow {
  /** Add, Modify, Remove, Import, Dynamic. */
  action: string;
  logicalId: string;
  physicalId?: string;
  resourceType: string;
  /** True, False or Conditional for Modify; undefined otherwise. */
  replacement?: string;
  /** Properties, Metadata, Tags, ... that the change touches. */
  scope: string[];
}

/** A failed resource of the operation, from DescribeStackEvents. */
export interface StackFailure {
  logicalId: string;
  resourceType: string;
  status: string;
  reason: string;
  /** ISO 8601 time of the event. */
  timestamp?: string;
}

/** What deployStack did. */
export interface DeployStackResult {
  stackName: string;
  stackId?: string;
  /** CREATE for a new stack, UPDATE for an existing one. */
  operation: StackOperation;
  /** How the stack was changed: through a change set, or CreateStack (createWithoutChangeSet). */
  method: 'change-set' | 'create-stack';
  changeSetName?: string;
  changeSetId?: string;
  /**
   * The stack's final status (CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, ...);
   * NO_CHANGES when the change set was empty; CHANGE_SET_CREATED when it was not executed.
   */
  status: string;
  /** true when the stack was (or, not executed, would be) changed. */
  changed: boolean;
  /** true when the change set (or CreateStack) was executed. */
  executed: boolean;
  changes: ResourceChangeRow[];
  /** Every stack output, by OutputKey. */
  outputs: Record<string, string>;
  /** The failed resources of this operation, oldest first (empty on success). */
  failures: StackFailure[];
  /** Termination protection after the deploy, when known. */
  terminationProtection?: boolean;
}
