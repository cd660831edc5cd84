/**
 * The resource-type check: a template whose Resources use a type CloudFormation does not know (a typo such as
 * AWS::EC2::VPCC) fails before the change set, with the nearest known types as a suggestion. Local emulators
 * accept unknown types and CloudFormation itself only refuses them at CreateChangeSet, so the check is ours.
 *
 * The known types are resource-types.json, generated from the resource provider schemas cfn-lint bundles
 * (scripts/gen-resource-types.ts; every region's list, united). Refused: an `AWS::` or `Alexa::` type not in
 * it (those namespaces belong to AWS, and its schemas list them all; so does any spelling of a namespace the
 * registry reserves, such as aws::s3::bucket), a malformed type name, a
 * `Custom::` name CloudFormation does not allow, and an AWS::Serverless type without the
 * AWS::Serverless-2016-10-31 transform. Accepted with a warning, because only the account knows them or a
 * transform decides: registry extensions of other namespaces (third-party or private types such as
 * `MongoDB::Atlas::Cluster`), registry modules (`…::MODULE`), AWS::Serverless types this list does not
 * have (the transform decides), and any unknown type in a template with a macro transform (the macro may
 * rewrite it). `Custom::<name>` and AWS::CloudFormation::CustomResource (custom resources) are valid types.
 *
 * Resource types reference: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html
 */
import { ConfigurationError, show } from '../lib/errors.js';
import data from './resource-types.json' with { type: 'json' };

const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';
/** Transforms whose effect on resource types is known (SAM: its own types; LanguageExtensions: Fn::ForEach). */
const KNOWN_TRANSFORMS = new Set([SAM_TRANSFORM, 'AWS::LanguageExtensions']);
/**
 * Namespaces owned by AWS (every type in them is in the schemas) and the other names the registry reserves,
 * compared case-insensitively: no extension can be published under them.
 */
const RESERVED_NAMESPACES = new Set(['aws', 'alexa', 'amzn', 'amazon', 'ask', 'custom']);
const TYPE_NAME = /^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(::MODULE)?$/;
/** Custom resource type names: "alphanumeric characters and _@-", at most 60 after Custom::. */
const CUSTOM = /^Custom::[A-Za-z0-9_@-]{1,60}$/;

let known: Set<string> | undefined;
/** Every resource type in resource-types.json (AWS::Serverless not included). */
export function knownResourceTypes(): ReadonlySet<string> {
  known ??= new Set(
    Object.entries(data.types).flatMap(([namespace, names]) => names.map((name) => `${namespace}::${name}`))
  );
  return known;
}

/** Where the list of known types comes from (cfn-lint version and schema date). */
export const RESOURCE_TYPES_SOURCE = data.source.replace(/;.*$/, '');

/** A resource of the template: its logical ID (with the Fn::ForEach loop it is in) and its Type. */
interface Declared {
  id: string;
  type: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The template's resources, looking into AWS::LanguageExtensions' `Fn::ForEach::<loop>` blocks. */
function resourcesOf(resources: Record<string, unknown>, where = ''): Declared[] {
  const out: Declared[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (id === 'Fn::Transform') continue; // AWS::Include and macros add resources we cannot see
    if (id.startsWith('Fn::ForEach::')) {
      const body = Array.isArray(resource) ? resource[2] : undefined;
      if (isRecord(body)) out.push(...resourcesOf(body, `${where}${id} → `));
      continue;
    }
    out.push({ id: `${where}${id}`, type: isRecord(resource) ? resource.Type : undefined });
  }
  return out;
}

/** The names of the template's transforms (`Transform: X` or a list of names and `{Name: X}`). */
function transformsOf(document: Record<string, unknown>): string[] {
  const value = document.Transform;
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((t) => (isRecord(t) ? String(t.Name) : String(t)));
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The known types nearest to `type` (case-insensitive edit distance, at most 3): the closest, at most 3. */
export function nearestResourceTypes(type: string): string[] {
  const lower = type.toLowerCase();
  const scored = [...knownResourceTypes()]
    .map((t) => ({ t, d: distance(lower, t.toLowerCase()) }))
    .filter((x) => x.d <= 3)
    .sort((x, y) => x.d - y.d || x.t.localeCompare(y.t));
  return scored
    .filter((x) => x.d === scored[0]!.d)
    .slice(0, 3)
    .map((x) => x.t);
}

/**
 * Checks the resource types of a parsed template.
 * @param source how messages name the template (the path the user gave).
 * @returns warnings for the types accepted without being known (registry extensions, modules, types a
 *   transform handles).
 * @throws ConfigurationError (input `input`) listing every resource whose type CloudFormation would refuse,
 *   with the nearest known types.
 */
export function checkResourceTypes(
  document: Record<string, unknown>,
  source: string,
  input = 'template'
): string[] {
  const transforms = transformsOf(document);
  const sam = transforms.includes(SAM_TRANSFORM);
  const macros = transforms.filter((t) => !KNOWN_TRANSFORMS.has(t));
  const warnings: string[] = [];
  const refused: string[] = [];
  const resources = isRecord(document.Resources) ? resourcesOf(document.Resources) : [];
  for (const { id, type } of resources) {
    const where = `resource ${id}`;
    if (type === undefined) {
      if (!macros.length) refused.push(`${where} has no Type`);
      continue;
    }
    if (typeof type !== 'string') continue; // an intrinsic function: resolved by CloudFormation
    if (type.startsWith('Custom::')) {
      if (!CUSTOM.test(type))
        refused.push(
          `${where} has the type ${show(type)}; a custom resource type is Custom:: followed by at most 60 letters, digits and _@-`
        );
      continue;
    }
    if (type.startsWith('AWS::Serverless::')) {
      const name = type.slice('AWS::Serverless::'.length);
      if (!sam && !macros.length)
        refused.push(
          `${where} has the type ${show(type)}, which needs the template's \`Transform: ${SAM_TRANSFORM}\``
        );
      else if (!data.serverless.includes(name))
        warnings.push(
          `${input}: ${where} has the type ${show(type)}, not one of the AWS::Serverless types this check knows (${data.serverless.join(', ')}); left to the ${SAM_TRANSFORM} transform.`
        );
      continue;
    }
    if (knownResourceTypes().has(type)) continue;
    const namespace = type.split('::')[0]!;
    if (!TYPE_NAME.test(type)) {
      if (macros.length) continue;
      refused.push(
        `${where} has the type ${show(type)}, which is not a resource type name (Organization::Service::Resource, such as AWS::S3::Bucket)`
      );
    } else if (macros.length) {
      warnings.push(
        `${input}: ${where} has the type ${show(type)}, which CloudFormation does not list; left to the template's transform ${macros.join(', ')} (a macro may rewrite it).`
      );
    } else if (type.endsWith('::MODULE')) {
      warnings.push(
        `${input}: ${where} uses the module ${show(type)} from the CloudFormation registry: not checked here; it must be registered in the account and region.`
      );
    } else if (!RESERVED_NAMESPACES.has(namespace.toLowerCase())) {
      warnings.push(
        `${input}: ${where} has the type ${show(type)}, a CloudFormation registry extension (third-party or private): not checked here; it must be activated in the account and region.`
      );
    } else {
      const nearest = nearestResourceTypes(type);
      refused.push(
        `${where} has the type ${show(type)}, which CloudFormation does not know` +
          (nearest.length ? ` (did you mean ${nearest.join(' or ')}?)` : '')
      );
    }
  }
  if (refused.length) {
    throw new ConfigurationError(
      `${input}: ${source}: ${refused.join('; ')}. Valid types are those of the CloudFormation resource type reference (this check knows ${knownResourceTypes().size} from ${RESOURCE_TYPES_SOURCE}), Custom::<name>, and registry extensions of other namespaces.`,
      input
    );
  }
  return warnings;
}
