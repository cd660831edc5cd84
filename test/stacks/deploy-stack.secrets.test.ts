/**
 * A NoEcho parameter's value never reaches the log or the job summary: deploy-stack's bundle masks it
 * (core.setSecret → `::add-mask::`) before anything else is printed. Against moto's CloudFormation.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMoto, type MotoServer } from '../../src/local/moto.js';
import { runActionBundle } from '../helpers/action.js';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

test('a NoEcho value is masked before the first log line and is absent from the summary', async () => {
  const secret = 'pg-s3cret-7f3a9c';
  const dir = mkdtempSync(path.join(tmpdir(), 'noecho-'));
  const template = path.join(dir, 'secret.yml');
  writeFileSync(
    template,
    [
      'Parameters:',
      '  DatabasePassword:',
      '    Type: String',
      '    NoEcho: true',
      '  TopicName:',
      '    Type: String',
      'Resources:',
      '  Topic:',
      '    Type: AWS::SNS::Topic',
      '    Properties:',
      '      TopicName: !Ref TopicName',
      '      DisplayName: !Ref DatabasePassword',
      'Outputs:',
      '  TopicArn:',
      '    Value: !Ref Topic',
      ''
    ].join('\n')
  );
  const run = await runActionBundle(
    'deploy-stack',
    {
      'stack-name': 'secret-test',
      template,
      parameters: `DatabasePassword=${secret}\nTopicName=twotier-secret-test`,
      'create-without-change-set': 'true',
      'timeout-minutes': '2'
    },
    { AWS_ENDPOINT_URL: moto.endpoint }
  );
  expect(run.errors).toEqual([]);
  expect(run.code).toBe(0);
  const lines = run.stdout.split('\n');
  const mask = lines.indexOf(`::add-mask::${secret}`);
  expect(mask).toBeGreaterThanOrEqual(0);
  expect(lines.slice(0, mask).filter((l) => !l.startsWith('::add-mask::'))).toEqual([]);
  expect(lines.filter((l, i) => i !== mask && l.includes(secret))).toEqual([]);
  expect(run.summary).not.toContain(secret);
  expect(run.outputs.TopicArn).toMatch(/^arn:aws:sns:us-east-1:\d+:twotier-secret-test$/);
});
