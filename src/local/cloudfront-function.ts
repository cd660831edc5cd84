/**
 * Runs the viewer-request CloudFront Function of templates/frontend.yml locally, the way the
 * `cloudfront-js-2.0` runtime calls it: the FunctionCode is read out of the template (as CloudFormation
 * would send it), compiled once in its own `node:vm` context without `require`, timers, network or file
 * access and with code generation from strings turned off (no `eval`, no `new Function`), and its
 * `handler(event)` is called with the documented event object. Used by the function's own test and by the
 * local CloudFront-like origin (src/local/cdn.ts). Never bundled into an action.
 *
 * Event structure: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html
 * Restrictions: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-function-restrictions.html
 * Quotas (function size): https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-functions
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { parseTemplate } from '../stacks/template.js';
import { projectRoot } from './moto.js';

/** The largest function code CloudFront accepts, in bytes (quota "Maximum size of a function": 10 KB). */
export const MAX_FUNCTION_BYTES = 10 * 1024;

/** Modules the cloudfront-js-2.0 runtime lets a function `require`; nothing else can be loaded. */
export const RUNTIME_MODULES = ['crypto', 'querystring', 'buffer', 'cloudfront'] as const;

/** One query string parameter, header or cookie of the event (`multiValue` when it was repeated). */
export interface FunctionValue {
  value: string;
  multiValue?: Array<{ value: string }>;
}

/** The `request` object of a viewer-request event. */
export interface FunctionRequest {
  method: string;
  /** The path as the viewer sent it (percent-encoding kept), relative to the origin path. */
  uri: string;
  querystring: Record<string, FunctionValue>;
  /** Lower-case names; the Cookie header is not here but in `cookies`. */
  headers: Record<string, FunctionValue>;
  cookies: Record<string, FunctionValue>;
}

/** A response the function generates instead of letting the request through. */
export interface FunctionResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, FunctionValue>;
  cookies?: Record<string, FunctionValue & { attributes?: string }>;
  body?: string | { encoding: 'text' | 'base64'; data: string };
}

/** The event object CloudFront passes to a viewer-request function. */
export interface ViewerRequestEvent {
  version: '1.0';
  context: {
    distributionDomainName: string;
    distributionId: string;
    eventType: 'viewer-request';
    requestId: string;
  };
  viewer: { ip: string };
  request: FunctionRequest;
}

/** A compiled viewer-request function. */
export interface ViewerRequestFunction {
  /** The FunctionCode as it stands in the template. */
  code: string;
  /** Calls `handler(event)`: the request to forward (possibly changed) or a generated response. */
  run(event: ViewerRequestEvent): FunctionRequest | FunctionResponse;
}

/** The template the toolkit ships, templates/frontend.yml. */
export const FRONTEND_TEMPLATE = path.join(projectRoot, 'templates', 'frontend.yml');

/**
 * Reads the FunctionCode of the `AWS::CloudFront::Function` resource in a template.
 * @param resource the resource's logical id; default: the only `AWS::CloudFront::Function` there.
 * @throws Error when the template has no such resource, or its FunctionCode is not a plain string (an
 *   intrinsic such as `!Sub` would need parameters this reader does not have).
 */
export function functionCodeFromTemplate(templateFile = FRONTEND_TEMPLATE, resource?: string): string {
  const { document } = parseTemplate(readFileSync(templateFile, 'utf8'), templateFile);
  const resources = document.Resources as Record<
    string,
    { Type?: string; Properties?: Record<string, unknown> }
  >;
  const ids = resource
    ? [resource]
    : Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::CloudFront::Function');
  if (ids.length !== 1 || resources[ids[0] as string]?.Type !== 'AWS::CloudFront::Function') {
    throw new Error(
      `${templateFile}: expected one AWS::CloudFront::Function resource${resource ? ` named ${resource}` : ''}, found ${ids.length}`
    );
  }
  const code = resources[ids[0] as string]?.Properties?.FunctionCode;
  if (typeof code !== 'string') {
    throw new Error(`${templateFile}: FunctionCode of ${ids[0]} is not a plain string`);
  }
  return code;
}

/**
 * What in `code` the cloudfront-js-2.0 runtime would refuse or not offer: more than
 * {@link MAX_FUNCTION_BYTES}, no top-level `handler`, ES module syntax, a `require` of anything but
 * {@link RUNTIME_MODULES}, dynamic code evaluation (`eval`, `Function`), timers, network access.
 * @returns one line per problem; empty when none was found.
 */
export function runtimeProblems(code: string): string[] {
  const problems: string[] = [];
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > MAX_FUNCTION_BYTES) problems.push(`${bytes} bytes, over the ${MAX_FUNCTION_BYTES}-byte limit`);
  if (!/^function handler\s*\(/m.test(code) && !/^async function handler\s*\(/m.test(code))
    problems.push('no top-level function handler(event)');
  if (/^\s*(import|export)\s/m.test(code)) problems.push('ES module syntax (import/export)');
  for (const match of code.matchAll(/\brequire\s*\(\s*(['"]?)([^'")]*)\1\s*\)/g)) {
    if (!(RUNTIME_MODULES as readonly string[]).includes(match[2] ?? ''))
      problems.push(`require(${match[1]}${match[2]}${match[1]}): only ${RUNTIME_MODULES.join(', ')} exist`);
  }
  for (const name of [
    'eval',
    'Function',
    'setTimeout',
    'setInterval',
    'setImmediate',
    'fetch',
    'XMLHttpRequest'
  ]) {
    if (new RegExp(`(^|[^.\\w$])${name}\\s*\\(`).test(code) || new RegExp(`\\bnew\\s+${name}\\b`).test(code))
      problems.push(`${name}: not available in CloudFront Functions`);
  }
  return problems;
}

/**
 * Compiles `code` in a fresh `node:vm` context shaped like the runtime: only the language's own globals,
 * no `require`, `process`, timers or `fetch`, and `codeGeneration: { strings: false }` so `eval` and
 * `new Function` throw. Each call of `run` passes a deep copy of the event and returns a deep copy of the
 * result, as CloudFront serialises both.
 * @throws Error when the code does not compile, has no `handler`, or breaks a rule of {@link runtimeProblems}.
 */
export function compileViewerRequestFunction(code: string): ViewerRequestFunction {
  const problems = runtimeProblems(code);
  if (problems.length > 0)
    throw new Error(`the function would not run on cloudfront-js-2.0: ${problems.join('; ')}`);
  const context = vm.createContext(Object.create(null), {
    name: 'cloudfront-function',
    codeGeneration: { strings: false, wasm: false }
  });
  new vm.Script(code, { filename: 'FunctionCode.js' }).runInContext(context, { timeout: 1000 });
  const handler = (context as { handler?: unknown }).handler;
  if (typeof handler !== 'function') throw new Error('the function code defines no handler(event)');
  return {
    code,
    run(event) {
      // The call goes through the context so the handler runs with the context's own Object and Array;
      // JSON round trips stand for CloudFront's serialisation of the event and the result.
      context.__event = JSON.stringify(event);
      const out = vm.runInContext('JSON.stringify(handler(JSON.parse(__event)))', context, { timeout: 1000 });
      delete context.__event;
      if (typeof out !== 'string') throw new Error('handler(event) returned nothing');
      return JSON.parse(out) as FunctionRequest | FunctionResponse;
    }
  };
}

/** The viewer-request function of templates/frontend.yml (or another template), compiled. */
export function loadViewerRequestFunction(templateFile = FRONTEND_TEMPLATE): ViewerRequestFunction {
  return compileViewerRequestFunction(functionCodeFromTemplate(templateFile));
}

/** True when the function answered itself instead of passing the request on. */
export function isResponse(result: FunctionRequest | FunctionResponse): result is FunctionResponse {
  return typeof (result as FunctionResponse).statusCode === 'number';
}

/**
 * Builds the event CloudFront passes for one viewer request.
 * @param target the request target as sent (`/path?query`, percent-encoding kept).
 * @param headers the request's headers (names in any case; a header given as a list is repeated).
 */
export function viewerRequestEvent(
  method: string,
  target: string,
  headers: Record<string, string | string[] | undefined> = {},
  viewerIp = '127.0.0.1'
): ViewerRequestEvent {
  const q = target.indexOf('?');
  const uri = q === -1 ? target : target.slice(0, q);
  const querystring: Record<string, FunctionValue> = {};
  if (q !== -1) {
    for (const part of target.slice(q + 1).split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const name = decodeQueryPart(eq === -1 ? part : part.slice(0, eq));
      add(querystring, name, eq === -1 ? '' : decodeQueryPart(part.slice(eq + 1)));
    }
  }
  const eventHeaders: Record<string, FunctionValue> = {};
  const cookies: Record<string, FunctionValue> = {};
  for (const [rawName, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const name = rawName.toLowerCase();
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (name === 'cookie') {
        for (const pair of value.split(';')) {
          const eq = pair.indexOf('=');
          if (eq > 0) add(cookies, pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
        }
      } else add(eventHeaders, name, value);
    }
  }
  return {
    version: '1.0',
    context: {
      distributionDomainName: 'd111111abcdef8.cloudfront.net',
      distributionId: 'ELOCALDISTRIBUTION',
      eventType: 'viewer-request',
      requestId: `local-${++requestCounter}`
    },
    viewer: { ip: viewerIp },
    request: { method, uri, querystring, headers: eventHeaders, cookies }
  };
}

let requestCounter = 0;

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Adds a value, turning a repeated name into `multiValue` (the first value stays in `value`). */
function add(target: Record<string, FunctionValue>, name: string, value: string): void {
  const existing = target[name];
  if (!existing) {
    target[name] = { value };
    return;
  }
  existing.multiValue ??= [{ value: existing.value }];
  existing.multiValue.push({ value });
}

/**
 * The query string of a request the function returned, serialised again (`multiValue` wins over `value`,
 * as the runtime applies changes).
 */
export function serialiseQuerystring(querystring: Record<string, FunctionValue>): string {
  const parts: string[] = [];
  for (const [name, entry] of Object.entries(querystring)) {
    const values = entry.multiValue ? entry.multiValue.map((v) => v.value) : [entry.value];
    for (const value of values)
      parts.push(
        value === '' ? encodeURIComponent(name) : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`
      );
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
