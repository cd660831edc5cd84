/**
 * The shapes of deploy-stack: what deployStack is asked to do (DeployStackOptions), the validated form the
 * AWS calls use (PreparedDeployment), and what it did (DeployStackResult with its change rows and failures).
 */
import type { Capability } from '@aws-sdk/client-cloudformation';
import type { AwsOptions } from '../lib/aws.js';
import type { TemplateParameter } from './template.js';

/** CREATE for a stack that does not exist yet, UPDATE for an existing one. */
export type StackOperation = 'CREATE' | 'UPDATE';

/** What deployStack is asked to do. */
export interface DeployStackOptions {
  /** Stack name: a letter, then letters, digits and hyphens, at most 128 characters. */
  stackName: string;
  /** Path of a local template file (YAML or JSON, at most 51,200 bytes). Exactly one of this and templateUrl. */
  templateFile?: string;
  /** https:// URL of a template in S3 (any size CloudFormation accepts). Parameter names are then checked by CloudFormation, not locally. */
  templateUrl?: string;
  /** Parameter values by name; they override the same names from parametersFile. */
  parameters?: Record<string, string>;
  /** A parameters file: JSON list of {ParameterKey, ParameterValue} or a JSON/YAML mapping of name to value. */
  parametersFile?: string;
  /** Capabilities to acknowledge (CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND). Default none. */
  capabilities?: string[];
  /** Stack tags (propagated to the resources that support tags). */
  tags?: Record<string, string>;
  /** Turn termination protection on or off after the deploy; undefined leaves it as it is. */
  terminationProtection?: boolean;
  /** false: create and print the change set but do not execute it (a review step). Default true. */
  execute?: boolean;
  /** ARN of the IAM role CloudFormation assumes to create the resources (the stack's service role). */
  roleArn?: string;
  /**
   * Create a stack that does not exist yet with CreateStack instead of a CREATE change set (no preview of
   * the changes). Updates always go through change sets. Off by default; exists for emulators whose
   * CREATE change sets misbehave (moto: no outputs or exports on stacks created by change sets, and
   * Fn::ImportValue fails inside a CREATE change set; see docs/templates.md).
   */
  createWithoutChangeSet?: boolean;
  /** Name for the change set; default twotier-<UTC timestamp>-<random>. */
  changeSetName?: string;
  /** Longest wait for the change set and for the stack operation, in seconds. Default 3600. */
  timeoutSeconds?: number;
  /** Shortest pause between DescribeStacks/DescribeChangeSet polls, in seconds (SDK waiter minDelay). Default 5. */
  pollDelaySeconds?: number;
  /** Region, endpoint override, retries. */
  aws?: AwsOptions;
}

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
