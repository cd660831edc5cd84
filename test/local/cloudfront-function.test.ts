/**
 * The viewer-request CloudFront Function of templates/frontend.yml, run as the cloudfront-js-2.0 runtime
 * runs it (src/local/cloudfront-function.ts): SPA routes rewritten to /index.html, files untouched, the
 * toolkit's reserved paths answered with 404, the rest of the request kept.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  FRONTEND_TEMPLATE,
  MAX_FUNCTION_BYTES,
  compileViewerRequestFunction,
  functionCodeFromTemplate,
  isResponse,
  loadViewerRequestFunction,
  runtimeProblems,
  serialiseQuerystring,
  viewerRequestEvent,
  type FunctionRequest,
  type FunctionResponse
} from '../../src/local/cloudfront-function.js';
import { parseTemplate } from '../../src/stacks/template.js';

const fn = loadViewerRequestFunction();

function run(
  target: string,
  headers: Record<string, string | string[]> = {}
): FunctionRequest | FunctionResponse {
  return fn.run(viewerRequestEvent('GET', target, headers));
}

/** The URI the request goes on with (fails the test when the function answered itself). */
function forwardedUri(target: string): string {
  const out = run(target);
  if (isResponse(out)) throw new Error(`${target} was answered with ${out.statusCode}`);
  return out.uri;
}

describe('the template', () => {
  it('associates the function with the default cache behaviour at viewer request, on cloudfront-js-2.0', () => {
    const { document } = parseTemplate(readFileSync(FRONTEND_TEMPLATE, 'utf8'), FRONTEND_TEMPLATE);
    const resources = document.Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const fnResource = resources.ViewerRequestFunction;
    expect(fnResource?.Type).toBe('AWS::CloudFront::Function');
    expect(fnResource?.Properties.FunctionConfig).toMatchObject({ Runtime: 'cloudfront-js-2.0' });
    expect(fnResource?.Properties.AutoPublish).toBe(true);
    const config = (resources.Distribution?.Properties.DistributionConfig ?? {}) as Record<string, unknown>;
    const behaviour = config.DefaultCacheBehavior as Record<string, unknown>;
    expect(behaviour.FunctionAssociations).toEqual([
      {
        EventType: 'viewer-request',
        FunctionARN: { 'Fn::GetAtt': ['ViewerRequestFunction', 'FunctionMetadata', 'FunctionARN'] }
      }
    ]);
    // The error pages that turned a missing asset into the app shell with 200 are gone.
    expect(config.CustomErrorResponses).toBeUndefined();
    expect(config.DefaultRootObject).toBe('index.html');
  });

  it('lets CloudFront list the bucket, so a missing key is a 404 and not a 403', () => {
    const { document } = parseTemplate(readFileSync(FRONTEND_TEMPLATE, 'utf8'), FRONTEND_TEMPLATE);
    const policy = (document.Resources as Record<string, { Properties: Record<string, unknown> }>)
      .BucketPolicy;
    const statements = (policy?.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> })
      .Statement;
    const list = statements.find((s) => s.Action === 's3:ListBucket');
    expect(list).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Resource: { 'Fn::GetAtt': ['Bucket', 'Arn'] }
    });
    expect(JSON.stringify(list?.Condition)).toContain('AWS:SourceArn');
  });
});

describe('cloudfront-js-2.0 restrictions', () => {
  it('the function code fits the 10 KB quota and uses nothing the runtime lacks', () => {
    const code = functionCodeFromTemplate();
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(MAX_FUNCTION_BYTES);
    expect(runtimeProblems(code)).toEqual([]);
    expect(code).not.toMatch(/\brequire\s*\(/);
  });

  it('the checks would catch a function the runtime refuses', () => {
    expect(runtimeProblems('function handler(e) { return require("fs").readFileSync("/x"); }')).toEqual([
      expect.stringContaining('require("fs")')
    ]);
    expect(runtimeProblems('function handler(e) { var c = require("crypto"); return e.request; }')).toEqual(
      []
    );
    expect(
      runtimeProblems(`function handler(e) { return e.request; }\n// ${'x'.repeat(MAX_FUNCTION_BYTES)}`)
    ).toEqual([expect.stringContaining('over the 10240-byte limit')]);
    expect(
      runtimeProblems('function handler(e) { setTimeout(function () {}, 1); return e.request; }')
    ).toEqual([expect.stringContaining('setTimeout')]);
    expect(runtimeProblems('var handler = 1;')).toEqual(['no top-level function handler(event)']);
  });

  it('runs without require, process or timers, and refuses code generated from strings', () => {
    const probe = compileViewerRequestFunction(`function handler(event) {
  var seen = [typeof require, typeof process, typeof setTimeout, typeof fetch];
  var evalRefused = false;
  try { (0, eval)('1'); } catch (e) { evalRefused = true; }
  event.request.headers['x-probe'] = { value: seen.join(',') + ',' + evalRefused };
  return event.request;
}`);
    const out = probe.run(viewerRequestEvent('GET', '/')) as FunctionRequest;
    expect(out.headers['x-probe']).toEqual({ value: 'undefined,undefined,undefined,undefined,true' });
  });
});

describe('SPA routing', () => {
  it.each([
    ['/about', '/index.html'],
    ['/docs/', '/index.html'],
    ['/users/42/settings', '/index.html'],
    ['/v1.2/notes', '/index.html'], // a dot in an earlier segment does not make it a file
    ['/', '/index.html'], // the root too: no request reaches S3 as a bucket listing
    ['//', '/index.html']
  ])('rewrites the route %s to %s', (target, uri) => {
    expect(forwardedUri(target)).toBe(uri);
  });

  it.each([
    '/index.html',
    '/assets/index-B1c2D3e4.js',
    '/assets/missing-00000000.js', // a missing chunk goes to S3 and gets its 404
    '/favicon.svg',
    '/robots.txt',
    '/docs/index.html',
    '/users/john.doe', // a dotted last segment reads as a file (documented limitation)
    '/.well-known/security.txt'
  ])('leaves the file path %s as it is', (target) => {
    expect(forwardedUri(target)).toBe(target);
  });

  it('keeps the query string, headers and cookies of a rewritten request', () => {
    const out = run('/search?q=a%20b&tag=x&tag=y&flag', {
      Accept: 'text/html',
      Cookie: 'session=abc; theme=dark'
    }) as FunctionRequest;
    expect(out.uri).toBe('/index.html');
    expect(out.querystring).toEqual({
      q: { value: 'a b' },
      tag: { value: 'x', multiValue: [{ value: 'x' }, { value: 'y' }] },
      flag: { value: '' }
    });
    expect(serialiseQuerystring(out.querystring)).toBe('?q=a%20b&tag=x&tag=y&flag');
    expect(out.headers.accept).toEqual({ value: 'text/html' });
    expect(out.cookies).toEqual({ session: { value: 'abc' }, theme: { value: 'dark' } });
    expect(out.method).toBe('GET');
  });
});

describe('reserved paths', () => {
  it.each([
    '/.twotier/manifest.json',
    '/.twotier/releases/2024-01-01/index.html',
    '/.twotier/',
    '/.twotier',
    '/.twotier-manifest.json',
    '/%2Etwotier/manifest.json', // S3 decodes the key, so the encoded dot is the same object
    '/.twotier%2Fmanifest.json',
    '/assets/../.twotier/manifest.json'
  ])('answers %s with 404 itself, without reaching the origin', (target) => {
    const out = run(target);
    expect(isResponse(out)).toBe(true);
    expect(out).toMatchObject({
      statusCode: 404,
      headers: { 'cache-control': { value: 'no-store' } }
    });
  });

  it('does not reserve names that only look alike', () => {
    expect(forwardedUri('/.twotier.css')).toBe('/.twotier.css');
    expect(forwardedUri('/assets/twotier-manifest.json')).toBe('/assets/twotier-manifest.json');
  });

  it('answers a malformed percent-encoding with 400', () => {
    expect(run('/assets/%E0%A4%A.js')).toMatchObject({ statusCode: 400 });
  });
});
