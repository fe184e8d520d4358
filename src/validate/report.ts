// The ways a run is reported: a progress line per check and a summary for people, and JSON,
// JUnit XML, TAP and GitHub Actions annotations for machines. All are plain functions of results.
import type { CheckResult, Status } from './types.js';

/** Shows runtime-provided text safely on a terminal (the CLI passes its control-character escaper). */
export type Escape = (text: string) => string;

const MARK: Record<Status, string> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP', flaky: 'FLAKY' };

/** `PASS  container/exec-sync (1.23s)`, with the reason for anything else. */
export function progressLine(r: CheckResult, show: Escape): string {
  const mark = r.status === 'failed' && r.expected ? 'XFAIL' : MARK[r.status];
  const reason = r.reason ? `: ${show(r.reason)}` : '';
  return `${mark.padEnd(5)} ${r.name} (${r.seconds.toFixed(2)}s)${reason}\n`;
}

export interface SummaryInput {
  results: readonly CheckResult[];
  seconds: number;
  interrupted: boolean;
  /** Baseline entries that passed this time. */
  nowPassing: readonly CheckResult[];
}

export function counts(results: readonly CheckResult[]): Record<Status, number> & { expected: number } {
  const c = { passed: 0, failed: 0, skipped: 0, flaky: 0, expected: 0 };
  for (const r of results) {
    c[r.status]++;
    if (r.status === 'failed' && r.expected) c.expected++;
  }
  return c;
}

/** The closing block: failures with their logs, baseline news, the slowest checks, the counts. */
export function summary(s: SummaryInput, show: Escape): string {
  const c = counts(s.results);
  const out: string[] = [];
  const failed = s.results.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    out.push('', 'Failures:');
    for (const r of failed) {
      out.push(`  ${r.name}${r.expected ? ' (expected: in the baseline)' : ''}: ${show(r.reason ?? '')}`);
      for (const line of r.logs) out.push(`    ${show(line)}`);
    }
  }
  if (s.nowPassing.length > 0) {
    out.push('', 'Listed in the baseline but passed now (remove them from it):');
    for (const r of s.nowPassing) out.push(`  ${r.name}`);
  }
  const slow = [...s.results].filter((r) => r.seconds > 0).sort((a, b) => b.seconds - a.seconds);
  if (slow.length > 0) {
    out.push('', 'Slowest:');
    for (const r of slow.slice(0, 5)) out.push(`  ${r.seconds.toFixed(2).padStart(7)}s  ${r.name}`);
  }
  let line = `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;
  if (c.flaky > 0) line += `, ${c.flaky} flaky`;
  if (c.expected > 0) line += ` (${c.expected} of the failures expected)`;
  line += ` in ${s.seconds.toFixed(1)}s`;
  if (s.interrupted) line += ' (interrupted: not every check ran)';
  out.push('', line);
  return `${out.join('\n')}\n`;
}

/** The --json report; --rerun-failed reads it back. */
export function jsonReport(results: readonly CheckResult[]): string {
  const checks = results.map((r) => ({
    name: r.name,
    group: r.group,
    status: r.status,
    seconds: r.seconds,
    reason: r.reason ?? null,
    critest: r.critest,
    ...(r.expected ? { expected: true } : {}),
  }));
  return `${JSON.stringify({ checks }, null, 2)}\n`;
}

/** Text that is valid in XML 1.0 (which cannot hold most control characters even escaped). */
export function xmlEscape(text: string): string {
  return text
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    )
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** JUnit XML: one testsuite per group; skip reasons and the logs of failures are kept. */
export function junitReport(results: readonly CheckResult[], totalSeconds: number): string {
  const groups = new Map<string, CheckResult[]>();
  for (const r of results) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  const c = counts(results);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="crictl-ts validate" tests="${results.length}" failures="${c.failed}" skipped="${c.skipped}" time="${totalSeconds.toFixed(3)}">`,
  ];
  for (const [group, rs] of groups) {
    const g = counts(rs);
    const time = rs.reduce((sum, r) => sum + r.seconds, 0);
    out.push(
      `  <testsuite name="${xmlEscape(group)}" tests="${rs.length}" failures="${g.failed}" skipped="${g.skipped}" time="${time.toFixed(3)}">`,
    );
    for (const r of rs) {
      const open = `    <testcase classname="${xmlEscape(group)}" name="${xmlEscape(r.name)}" time="${r.seconds.toFixed(3)}"`;
      const props = r.critest
        ? `      <properties><property name="critest" value="${xmlEscape(r.critest)}"/></properties>`
        : undefined;
      const body: string[] = props ? [props] : [];
      const reason = xmlEscape(r.reason ?? '');
      if (r.status === 'skipped') body.push(`      <skipped message="${reason}"/>`);
      if (r.status === 'failed') {
        const type = r.expected ? 'expected' : 'failure';
        body.push(
          `      <failure message="${reason}" type="${type}">${xmlEscape([r.reason ?? '', ...r.logs].join('\n'))}</failure>`,
        );
        if (r.logs.length > 0) body.push(`      <system-out>${xmlEscape(r.logs.join('\n'))}</system-out>`);
      }
      if (r.status === 'flaky') body.push(`      <system-out>${reason}</system-out>`);
      out.push(body.length === 0 ? `${open}/>` : `${open}>`, ...body, ...(body.length ? ['    </testcase>'] : []));
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

/** TAP version 13: `ok`/`not ok` per check, skips as directives, the reason in a YAML block. */
export function tapReport(results: readonly CheckResult[], show: Escape): string {
  const out = ['TAP version 13', `1..${results.length}`];
  results.forEach((r, i) => {
    const n = i + 1;
    // TAP reads `#` as the start of a directive: the description must not hold one.
    const name = show(r.name).replace(/#/g, '\\#');
    const oneLine = (s: string) => show(s).replace(/[\r\n]+/g, ' ');
    if (r.status === 'skipped') out.push(`ok ${n} - ${name} # SKIP ${oneLine(r.reason ?? '')}`);
    else if (r.status === 'failed' && r.expected) out.push(`not ok ${n} - ${name} # TODO in the baseline`);
    else out.push(`${r.status === 'failed' ? 'not ok' : 'ok'} ${n} - ${name}`);
    if (r.status === 'failed' || r.status === 'flaky') {
      out.push(
        '  ---',
        `  message: ${JSON.stringify(r.reason ?? '')}`,
        `  duration_ms: ${Math.round(r.seconds * 1000)}`,
      );
      if (r.logs.length > 0) out.push('  logs:', ...r.logs.map((l) => `    - ${JSON.stringify(l)}`));
      out.push('  ...');
    }
  });
  return `${out.join('\n')}\n`;
}

/** GitHub Actions workflow commands: an error per unexpected failure, a warning per flaky check. */
export function githubAnnotations(results: readonly CheckResult[], show: Escape): string {
  // Workflow commands end at a newline and split properties at `,` and `:`, so those are encoded.
  const data = (s: string) => show(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  let out = '';
  for (const r of results) {
    if (r.status === 'failed' && !r.expected)
      out += `::error title=${prop(`validate ${r.name}`)}::${data([r.reason ?? 'failed', ...r.logs].join('\n'))}\n`;
    if (r.status === 'flaky')
      out += `::warning title=${prop(`validate ${r.name} is flaky`)}::${data(r.reason ?? '')}\n`;
  }
  return out;
}
