/**
 * Credential-shaped values (src/lib/secrets.ts): every format it claims to recognise is found and only the
 * credential part is masked; the identifiers a deploy prints for good reason are left alone.
 */
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  findCredentials,
  looksRandom,
  maskCredentials,
  redactCredentials,
  shannonEntropy
} from '../../src/lib/secrets.js';

const found = (text: string) => findCredentials(text, { entropy: true }).map((m) => m.value);

describe('findCredentials', () => {
  it.each([
    ['a URL password', 'postgres://app:s3cr3t-Pa55@db.internal:5432/app', 's3cr3t-Pa55'],
    ['a URL password without a user', 'redis://:hunter2hunter2@cache:6379/0', 'hunter2hunter2'],
    ['an ADO.NET password', 'Server=db;User Id=app;Password=Tr0ub4dor&3;', 'Tr0ub4dor&3'],
    ['a libpq password', 'host=db user=app password=correcthorse dbname=app', 'correcthorse'],
    ['a quoted libpq password', "host=db password='with space'", 'with space'],
    ['a query token', 'https://api.example.com/v1?api_key=abc123def456&x=1', 'abc123def456'],
    [
      'a JWT',
      'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'
    ],
    ['an AWS access key id', 'key AKIAIOSFODNN7EXAMPLE here', 'AKIAIOSFODNN7EXAMPLE'],
    ['a temporary AWS key id', 'ASIAY34FZKBOKMUTVV7A', 'ASIAY34FZKBOKMUTVV7A'],
    ['a Stripe live key', 'sk_live_51HxYzAbCdEfGhIjKlMnOpQr', 'sk_live_51HxYzAbCdEfGhIjKlMnOpQr'],
    ['a Stripe restricted key', 'rk_live_00000000000000000000aaaa', 'rk_live_00000000000000000000aaaa'],
    ['a GitHub token', `ghp_${'a1B2c3D4e5'.repeat(4)}`, `ghp_${'a1B2c3D4e5'.repeat(4)}`],
    ['a fine-grained GitHub token', `github_pat_${'11AB'.repeat(8)}`, `github_pat_${'11AB'.repeat(8)}`],
    [
      'a Slack bot token',
      'xoxb-123456789012-1234567890123-AbCdEfGh',
      'xoxb-123456789012-1234567890123-AbCdEfGh'
    ],
    ['a Google API key', `AIza${'Sy'.repeat(17)}A`, `AIza${'Sy'.repeat(17)}A`]
  ])('finds %s', (_what, text, secret) => {
    expect(found(text)).toContain(secret);
    expect(maskCredentials(text, findCredentials(text, { entropy: true }))).not.toContain(secret);
  });

  it('masks a PEM private key as a whole', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234\nabcd\n-----END RSA PRIVATE KEY-----';
    expect(found(`key: ${pem}`)).toEqual([pem]);
  });

  it('keeps the rest of a URL readable', () => {
    expect(redactCredentials('postgres://app:s3cr3t-Pa55@db:5432/app')).toBe(
      'postgres://app:***@db:5432/app'
    );
  });

  it('finds random tokens with the entropy rule, and only with it', () => {
    const token = 'Zq8xV2mK4pL9sT1wR7nB3cY6';
    expect(findCredentials(token)).toEqual([]);
    expect(found(token)).toEqual([token]);
    expect(found(randomBytes(32).toString('hex'))).toHaveLength(1);
    expect(found('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toHaveLength(1);
  });

  it.each([
    '0123456789abcdef0123456789abcdef01234567', // a git commit SHA
    '550e8400-e29b-41d4-a716-446655440000', // a UUID
    `123456789012.dkr.ecr.us-east-1.amazonaws.com/twotier/api@sha256:${'ab12'.repeat(16)}`,
    'arn:aws:iam::123456789012:role/twotier-dev-TaskExecutionRole-1A2B3C4D5E6F7',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:twotier/api-key-AbCdEf',
    'MyApplicationName2024Production',
    'twotier-dev-api-LoadBalancer-1234567890',
    'AWSLogs/123456789012/us-east-1',
    'ecs-svc/1234567890123456789',
    'https://api.example.com/v1/users?page=2',
    'gunicorn --bind 0.0.0.0:8000 app:create_app()',
    'Hello from twotier on ECS Fargate',
    '127.0.0.1:8000'
  ])('leaves %s alone', (text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('the entropy rule', () => {
  it('measures bits a character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });

  it('needs 20 characters and mixed classes', () => {
    expect(looksRandom('Zq8xV2mK4pL9sT1wR7n')).toBe(false); // 19
    expect(looksRandom('zq8xv2mk4pl9st1wr7nb3cy6')).toBe(false); // no upper case
    expect(looksRandom('Zq8xV2mK4pL9sT1wR7nB')).toBe(true);
  });
});
