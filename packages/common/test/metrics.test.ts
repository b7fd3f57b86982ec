import { counter, gauge, histogram, Registry } from '../src/metrics';

describe('counter, gauge and histogram', () => {
  test('when a metric is made on a registry, then that registry (not the global one) exposes it', async () => {
    // Arrange
    const registry = new Registry();
    // Act
    counter(registry, { name: 'things_total', help: 'Things', labelNames: ['kind'] as const }).inc({
      kind: 'a',
    });
    gauge(registry, { name: 'level', help: 'Level' }).set(3);
    histogram(registry, { name: 'took_seconds', help: 'Took', buckets: [1] }).observe(0.5);
    // Assert
    const text = await registry.metrics();
    expect(text).toContain('things_total{kind="a"} 1');
    expect(text).toContain('level 3');
    expect(text).toContain('took_seconds_bucket{le="1"} 1');
  });

  test('when the same metric is made twice on one registry, then both calls share one metric', async () => {
    // Arrange: two instances of one module on one registry (two buses, a second app in a test).
    const registry = new Registry();
    const config = { name: 'shared_total', help: 'Shared', labelNames: ['kind'] as const };
    // Act
    const first = counter(registry, config);
    const second = counter(registry, config);
    second.inc({ kind: 'a' });
    // Assert
    expect(second).toBe(first);
    expect(await registry.getSingleMetricAsString('shared_total')).toContain('shared_total{kind="a"} 1');
  });

  test('when a name is taken by another kind of metric or other labels, then making it throws', () => {
    // Arrange
    const registry = new Registry();
    counter(registry, { name: 'taken', help: 'Taken', labelNames: ['kind'] as const });
    // Act / Assert
    expect(() => gauge(registry, { name: 'taken', help: 'Taken', labelNames: ['kind'] as const })).toThrow(
      'metric taken is already registered as another kind or with other labels',
    );
    expect(() => counter(registry, { name: 'taken', help: 'Taken', labelNames: ['other'] as const })).toThrow(
      'metric taken is already registered as another kind or with other labels',
    );
  });

  test('when a gauge has a collect function, then a scrape reads the value through it', async () => {
    // Arrange
    const registry = new Registry();
    let backlog = 7;
    gauge(registry, {
      name: 'backlog',
      help: 'Backlog',
      collect() {
        this.set(backlog);
      },
    });
    // Act
    backlog = 9;
    // Assert
    expect(await registry.getSingleMetricAsString('backlog')).toContain('backlog 9');
  });
});
