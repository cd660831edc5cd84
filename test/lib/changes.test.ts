/** The change log: errors after a write say what was changed; before any write they pass untouched. */
import { describe, expect, it } from '@jest/globals';
import { ChangeLog } from '../../src/lib/changes.js';
import { ConfigurationError, DeploymentError } from '../../src/lib/errors.js';

describe('ChangeLog.guard', () => {
  it('passes an error thrown before any write through unchanged', async () => {
    const refused = new ConfigurationError('bad input', 'x');
    const error = await new ChangeLog().guard(() => Promise.reject(refused)).catch((e: unknown) => e);
    expect(error).toBe(refused);
  });

  it('wraps an error after a write in a DeploymentError that says what was changed', async () => {
    const log = new ChangeLog();
    const sdk = Object.assign(new Error('injected'), { name: 'ServerException' });
    const error = (await log
      .guard(async () => {
        log.record('registered app:8');
        log.record('service api now runs app:8');
        throw sdk;
      })
      .catch((e: unknown) => e)) as DeploymentError;
    expect(error).toBeInstanceOf(DeploymentError);
    expect(error.message).toBe(
      'injected\nAlready changed in AWS: registered app:8; service api now runs app:8.'
    );
    expect(error.changed).toEqual(['registered app:8', 'service api now runs app:8']);
    expect(error.cause).toBe(sdk);
  });

  it('keeps the result of a DeploymentError it wraps, and does not wrap its own errors twice', async () => {
    const log = new ChangeLog();
    const own = await log
      .guard(async () => {
        log.record('started task t1');
        throw log.error('Task t1 failed.', { result: { taskArn: 't1' } });
      })
      .catch((e: unknown) => e as DeploymentError<{ taskArn: string }>);
    expect(own.message).toBe('Task t1 failed.\nAlready changed in AWS: started task t1.');
    const wrapped = await log
      .guard(() => Promise.reject(new DeploymentError('later', { result: { taskArn: 't1' } })))
      .catch((e: unknown) => e as DeploymentError<{ taskArn: string }>);
    expect(wrapped.result).toEqual({ taskArn: 't1' });
    expect(wrapped.message).toBe('later\nAlready changed in AWS: started task t1.');
  });
});
