import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ago, bytesSize, formatG, humanDuration, humanSize, truncateId } from '../../src/output/human.js';

test('humanDuration follows go-units thresholds', () => {
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(1000), '1 second');
  assert.equal(humanDuration(59_000), '59 seconds');
  assert.equal(humanDuration(60_000), 'About a minute');
  assert.equal(humanDuration(119_000), 'About a minute');
  assert.equal(humanDuration(120_000), '2 minutes');
  assert.equal(humanDuration(59 * 60_000), '59 minutes');
  assert.equal(humanDuration(90 * 60_000), '2 hours'); // rounds to the nearest hour
  assert.equal(humanDuration(60 * 60_000), 'About an hour');
  assert.equal(humanDuration(47 * 3_600_000), '47 hours');
  assert.equal(humanDuration(48 * 3_600_000), '2 days');
  assert.equal(humanDuration(15 * 24 * 3_600_000), '2 weeks');
  assert.equal(humanDuration(61 * 24 * 3_600_000), '2 months');
  assert.equal(humanDuration(800 * 24 * 3_600_000), '2 years');
});

test('ago converts CRI nanosecond timestamps', () => {
  const now = 1_700_000_000_000;
  assert.equal(ago(String(BigInt(now - 5 * 60_000) * 1_000_000n), now), '5 minutes ago');
});

test('sizes print like go-units with %.Ng precision', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1000), '1kB');
  assert.equal(humanSize(742_039), '742kB');
  assert.equal(humanSize(1_234_567), '1.235MB');
  assert.equal(humanSize(1_234_567, 3), '1.23MB');
  assert.equal(humanSize(4_456_000, 3), '4.46MB');
  assert.equal(bytesSize(1536), '1.5KiB');
  assert.equal(formatG(123456, 4), '1.235e+05');
  assert.equal(formatG(0.5, 3), '0.5');
});

test('truncateId keeps 13 characters', () => {
  assert.equal(truncateId('0123456789abcdef'), '0123456789abc');
  assert.equal(truncateId('short'), 'short');
});
