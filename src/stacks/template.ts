/**
 * Reading CloudFormation templates and parameter files locally, so that deploy-stack can reject a bad
 * template path, a misspelt parameter name or a missing required parameter before any AWS call.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse, type CollectionTag, type ScalarTag, type Tags } from 'yaml';
import { ConfigurationError, messageOf, show } from '../lib/errors.js';

/**
 * One entry of a template's `Parameters` section (the fields deploy-stack looks at), as the template wrote
 * them (a JSON template may give numbers as strings).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
 */
export interface TemplateParameter {
  Type?: string;
  Default?: unknown;
  NoEcho?: boolean | string;
  AllowedValues?: unknown[];
  /** A Java regular expression the whole value (each item of a CommaDelimitedList) must match. */
  AllowedPattern?: string;
  /** Characters (UTF-16 code units, Java's String.length) of a String value. */
  MinLength?: number | string;
  MaxLength?: number | string;
  /** Bounds of a Number value. */
  MinValue?: number | string;
  MaxValue?: number | string;
  /** What the template says when a constraint is violated. */
  ConstraintDescription?: string;
  Description?: string;
}

/** A parsed template: the whole document plus its parameters. */
export interface ParsedTemplate {
  /** The template document as plain JSON (short-form intrinsics such as `!Sub` turned into `Fn::Sub`). */
  document: Record<string, unknown>;
  /** The `Parameters` section, keyed by parameter name (empty when the template has none). */
  parameters: Record<string, TemplateParameter>;
}

/** The largest TemplateBody CreateChangeSet accepts, in bytes; larger templates need a template URL. */
export const MAX_TEMPLATE_BODY_BYTES = 51200;

const INTRINSICS = [
  'Ref',
  'Condition',
  'GetAtt',
  'Sub',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'FindInMap',
  'GetAZs',
  'Base64',
  'Cidr',
  'Transform',
  'Length',
  'ToJsonString',
  'ForEach'
];

/**
 * yaml custom tags for CloudFormation's short-form intrinsic functions (`!Ref`, `!Sub`, `!GetAtt a.b`, ...),
 * each accepted on a scalar, a sequence or a mapping, and turned into the long form (`{"Fn::Sub": ...}`).
 */
export const cloudFormationTags: Tags = INTRINSICS.flatMap((name): Array<ScalarTag | CollectionTag> => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  return [
    {
      tag: `!${name}`,
      resolve: (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value })
    },
    { tag: `!${name}`, collection: 'seq', resolve: (seq) => ({ [key]: seq.toJSON() }) },
    { tag: `!${name}`, collection: 'map', resolve: (map) => ({ [key]: map.toJSON() }) }
  ];
});

/**
 * Parses a template body (JSON or YAML with CloudFormation short-form tags).
 * @param source where the text came from, for error messages.
 * @param input the action input the template came from, for error messages.
 * @throws ConfigurationError when the text does not parse, is not a mapping, or has no Resources mapping.
 */
export function parseTemplate(text: string, source: string, input = 'template'): ParsedTemplate {
  let document: unknown;
  try {
    document = parse(text, { customTags: cloudFormationTags, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    throw new ConfigurationError(
      `${input}: ${source} is not valid YAML or JSON: ${messageOf(error).split('\n')[0]}`,
      input
    );
  }
  if (!isRecord(document)) {
    throw new ConfigurationError(
      `${input}: ${source} is not a CloudFormation template (not a mapping).`,
      input
    );
  }
  if (!isRecord(document.Resources) || Object.keys(document.Resources).length === 0) {
    throw new ConfigurationError(
      `${input}: ${source} has no Resources section; a CloudFormation template declares at least one resource.`,
      input
    );
  }
  const parameters = document.Parameters === undefined ? {} : document.Parameters;
  if (!isRecord(parameters)) {
    throw new ConfigurationError(
      `${input}: ${source} has a Parameters section that is not a mapping.`,
      input
    );
  }
  return { document, parameters: parameters as Record<string, TemplateParameter> };
}

/**
 * Reads and parses a template file.
 * @param shownAs how messages name the file (what the user wrote; default `file`).
 * @returns the file's text (sent as TemplateBody) and the parsed template.
 * @throws ConfigurationError when the file is missing, is a directory, is larger than
 *   MAX_TEMPLATE_BODY_BYTES (51,200 bytes), or does not parse.
 */
export function loadTemplateFile(
  file: string,
  input = 'template',
  shownAs = file
): { body: string; template: ParsedTemplate } {
  if (!existsSync(file)) {
    throw new ConfigurationError(`${input}: template file ${show(shownAs)} does not exist.`, input);
  }
  const stat = statSync(file);
  if (!stat.isFile()) throw new ConfigurationError(`${input}: ${show(shownAs)} is not a file.`, input);
  if (stat.size > MAX_TEMPLATE_BODY_BYTES) {
    throw new ConfigurationError(
      `${input}: ${show(shownAs)} is ${stat.size} bytes; a template body may be at most ${MAX_TEMPLATE_BODY_BYTES} bytes. ` +
        'Upload it to S3 and pass its https:// URL instead.',
      input
    );
  }
  const body = readFileSync(file, 'utf8');
  return { body, template: parseTemplate(body, show(shownAs), input) };
}

/**
 * Reads a parameters file: a JSON list of `{ParameterKey, ParameterValue}` (the format of the AWS CLI's
 * `--parameters file://`), or a JSON/YAML mapping of name to value. Every value is taken as written (YAML's
 * failsafe schema: `0x10` stays "0x10" and `1.50` stays "1.50" instead of becoming the numbers 16 and 1.5),
 * since CloudFormation receives and checks text; a list becomes a comma-separated string (for List<...> and
 * CommaDelimitedList parameters).
 * @param shownAs how messages name the file (what the user wrote; default `file`).
 * @returns values by parameter name (`null` means "use the previous value", from `UsePreviousValue: true`).
 * @throws ConfigurationError naming the file and the bad entry.
 */
export function loadParametersFile(
  file: string,
  input = 'parameters-file',
  shownAs = file
): Record<string, string | null> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new ConfigurationError(`${input}: ${show(shownAs)} does not exist or is not a file.`, input);
  }
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'), { uniqueKeys: true, schema: 'failsafe' });
  } catch (error) {
    throw new ConfigurationError(
      `${input}: ${show(shownAs)} is not valid JSON or YAML: ${messageOf(error).split('\n')[0]}`,
      input
    );
  }
  const result: Record<string, string | null> = {};
  if (Array.isArray(data)) {
    data.forEach((entry, index) => {
      if (!isRecord(entry) || typeof entry.ParameterKey !== 'string' || !entry.ParameterKey) {
        throw new ConfigurationError(
          `${input}: entry ${index + 1} of ${show(shownAs)} is ${show(entry)}; expected {"ParameterKey": "Name", "ParameterValue": "value"}.`,
          input
        );
      }
      if (entry.UsePreviousValue === true || entry.UsePreviousValue === 'true')
        result[entry.ParameterKey] = null;
      else
        result[entry.ParameterKey] = scalarText(
          entry.ParameterValue,
          `${input}: ${entry.ParameterKey}`,
          input
        );
    });
    return result;
  }
  if (isRecord(data)) {
    for (const [key, value] of Object.entries(data))
      result[key] = scalarText(value, `${input}: ${key}`, input);
    return result;
  }
  throw new ConfigurationError(
    `${input}: ${show(shownAs)} holds ${show(data)}; expected a JSON list of {ParameterKey, ParameterValue} or a mapping of name to value.`,
    input
  );
}

function scalarText(value: unknown, where: string, input: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => ['string', 'number'].includes(typeof v)))
    return value.join(',');
  throw new ConfigurationError(
    `${where} is ${show(value)}; expected a string, number, boolean or list of them.`,
    input
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
