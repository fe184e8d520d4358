// validate's reports: progress and summary lines, JSON (read back by --rerun-failed), JUnit XML
// (escaping, skip reasons, failure logs), TAP and GitHub Actions annotations.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeText } from '../../src/output/escape.js';
import { failedInReport } from '../../src/validate/lists.js';
import {
  githubAnnotations,
  jsonReport,
  junitReport,
  progressLine,
  summary,
  tapReport,
  xmlEscape,
} from '../../src/validate/report.js';
import type { CheckResult } from '../../src/validate/types.js';

const result = (name: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult => ({
  name,
  group: name.split('/')[0],
  critest: null,
  status,
  seconds: 1.5,
  logs: [],
  attempts: 1,
  ...extra,
});

const hostile = 'runtime said <b>"no"</b> & \u001b]0;pwned\u0007 bye';
const results: CheckResult[] = [
  result('pod/run', 'passed', {
    critest: '[k8s.io] PodSandbox runtime should support running PodSandbox [Conformance]',
  }),
  result('container/exec-sync', 'failed', { reason: hostile, logs: ['container x: abc', 'line two'] }),
  result('image/pull-tag', 'skipped', { reason: 'no image to pull: give --registry', seconds: 0 }),
  result('logs/reopen', 'flaky', { reason: 'passed on attempt 2 of 3', attempts: 2 }),
  result('security/host-pid', 'failed', { reason: 'known', expected: true }),
];

describe('text', () => {
  test('a progress line per check; runtime text escaped', () => {
    assert.equal(progressLine(results[0], escapeText), 'PASS  pod/run (1.50s)\n');
    assert.equal(
      progressLine(results[1], escapeText),
      'FAIL  container/exec-sync (1.50s): runtime said <b>"no"</b> & \\x1b]0;pwned\\a bye\n',
    );
    assert.equal(progressLine(results[4], escapeText), 'XFAIL security/host-pid (1.50s): known\n');
  });

  test('summary: failures with logs, baseline news, counts', () => {
    const text = summary({ results, seconds: 12.34, interrupted: false, nowPassing: [results[0]] }, escapeText);
    assert.match(text, /\n {4}container x: abc\n {4}line two\n/);
    assert.match(text, /security\/host-pid \(expected: in the baseline\): known/);
    assert.match(text, /passed now \(remove them from it\):\n {2}pod\/run\n/);
    assert.match(text, /\n1 passed, 2 failed, 1 skipped, 1 flaky \(1 of the failures expected\) in 12\.3s\n$/);
    assert.doesNotMatch(text, /\u001b/);
  });
});

describe('JSON', () => {
  test('the documented shape, read back by --rerun-failed', () => {
    const doc = JSON.parse(jsonReport(results)) as { checks: Record<string, unknown>[] };
    assert.deepEqual(doc.checks[0], {
      name: 'pod/run',
      group: 'pod',
      status: 'passed',
      seconds: 1.5,
      reason: null,
      critest: '[k8s.io] PodSandbox runtime should support running PodSandbox [Conformance]',
    });
    assert.equal(doc.checks[1].reason, hostile);
    assert.deepEqual(failedInReport(jsonReport(results), 'r.json'), ['container/exec-sync', 'security/host-pid']);
  });
});

describe('JUnit XML', () => {
  const xml = junitReport(results, 7.5);

  test('escapes markup and drops characters XML 1.0 cannot hold', () => {
    assert.equal(xmlEscape('a<b>&"\'\u0001\t\n'), 'a&lt;b&gt;&amp;&quot;&apos;\\x01\t\n');
    assert.ok(xml.includes('message="runtime said &lt;b&gt;&quot;no&quot;&lt;/b&gt; &amp; \\x1b]0;pwned\\x07 bye"'));
    assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    assert.doesNotMatch(xml, /<b>/);
  });

  test('suites per group, skip reasons, failure logs, critest names', () => {
    assert.match(xml, /<testsuites name="crictl-ts validate" tests="5" failures="2" skipped="1" time="7\.500">/);
    assert.match(xml, /<testsuite name="image" tests="1" failures="0" skipped="1"/);
    assert.match(xml, /<skipped message="no image to pull: give --registry"\/>/);
    assert.match(xml, /<system-out>container x: abc\nline two<\/system-out>/);
    assert.match(
      xml,
      /<property name="critest" value="\[k8s.io\] PodSandbox runtime should support running PodSandbox \[Conformance\]"\/>/,
    );
    assert.match(xml, /<failure message="known" type="expected">/);
    // Every opened element is closed.
    const opened = (xml.match(/<(testsuites|testsuite|testcase)[ >]/g) ?? []).length;
    const closed = (xml.match(/<\/(testsuites|testsuite|testcase)>|<testcase [^>]*\/>/g) ?? []).length;
    assert.equal(opened, closed);
  });
});

describe('TAP', () => {
  test('ok / not ok, SKIP and TODO directives, YAML for failures', () => {
    const tap = tapReport([...results, result('g/odd#name', 'skipped', { reason: 'two\nlines' })], escapeText);
    const lines = tap.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['TAP version 13', '1..6', 'ok 1 - pod/run']);
    assert.ok(lines.includes('not ok 2 - container/exec-sync'));
    assert.ok(lines.includes('ok 3 - image/pull-tag # SKIP no image to pull: give --registry'));
    assert.ok(lines.includes('not ok 5 - security/host-pid # TODO in the baseline'));
    assert.ok(lines.includes('ok 6 - g/odd\\#name # SKIP two lines'));
    assert.ok(lines.includes(`  message: ${JSON.stringify(hostile)}`));
  });
});

describe('GitHub Actions annotations', () => {
  test('an error per unexpected failure, a warning per flaky check; commands cannot be broken out of', () => {
    const out = githubAnnotations(results, escapeText);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(
      lines[0],
      /^::error title=validate container\/exec-sync::runtime said .* bye%0Acontainer x: abc%0Aline two$/,
    );
    assert.match(lines[1], /^::warning title=validate logs\/reopen is flaky::passed on attempt 2 of 3$/);
    const tricky = githubAnnotations(
      [result('g/x', 'failed', { reason: '50%\n::error::fake,title:\u001b[2J' })],
      escapeText,
    );
    assert.equal(tricky, '::error title=validate g/x::50%25%0A::error::fake,title:\\x1b[2J\n');
  });
});
