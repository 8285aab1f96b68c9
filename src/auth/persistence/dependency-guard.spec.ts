import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyGuard, DependencyUnavailableError } from './dependency-guard';

const quiet = { warn: () => undefined, log: () => undefined } as unknown as Logger;

describe('DependencyGuard', () => {
  it('fails calls fast once a failure is reported, probes, and lets calls through again when the probe answers', async () => {
    let healthy = false;
    let probes = 0;
    const guard = new DependencyGuard('database', async () => {
      probes++;
      if (!healthy) throw new Error('still down');
    }, { probeEveryMs: 20, logger: quiet });
    expect(() => guard.assertUp()).not.toThrow();
    guard.reportFailure('a query got no answer');
    expect(() => guard.assertUp()).toThrow(DependencyUnavailableError);
    await sleep(70);
    expect(probes).toBeGreaterThanOrEqual(2);
    expect(guard.isUp).toBe(false);
    healthy = true;
    await sleep(40);
    expect(guard.isUp).toBe(true);
    guard.close();
  });

  it('probes at once, so a healthy dependency is back within one probe', async () => {
    const guard = new DependencyGuard('redis', async () => undefined, { probeEveryMs: 10_000, logger: quiet });
    guard.reportFailure('blip');
    await sleep(5);
    expect(guard.isUp).toBe(true);
    guard.close();
  });
});
