// `doctor`'s report: a bordered table for people (cli-table3; colour only on a terminal) or JSON
// with stable field names for scripts, and the exit code: 0 all OK, 2 warnings only, 1 any FAIL.
import Table from 'cli-table3';
import type { Finding, Verdict } from './checks.js';

export function exitCode(findings: readonly Finding[]): number {
  if (findings.some((f) => f.status === 'FAIL')) return 1;
  if (findings.some((f) => f.status === 'WARN')) return 2;
  return 0;
}

/** The JSON report: `{"checks": [{check, status, summary, evidence, next}], "counts", "exitCode"}`. */
export function reportJson(findings: readonly Finding[]): string {
  const counts: Record<Verdict, number> = { OK: 0, WARN: 0, FAIL: 0, SKIP: 0 };
  for (const f of findings) counts[f.status]++;
  const checks = findings.map((f) => ({ check: f.check, status: f.status, summary: f.summary, evidence: f.evidence, next: f.next ?? null }));
  return `${JSON.stringify({ checks, counts, exitCode: exitCode(findings) }, null, 2)}\n`;
}

const COLOURS: Record<Verdict, string> = { OK: '\x1b[32m', WARN: '\x1b[33m', FAIL: '\x1b[31m', SKIP: '\x1b[90m' };

/** Control characters from the runtime (names, messages, log lines) are shown, never obeyed. */
function visible(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function reportTable(findings: readonly Finding[], opts: { colour: boolean; width: number }): string {
  // Fixed columns for check and status; the rest split between finding and next step.
  const rest = Math.max(40, opts.width - 15 - 8 - 5);
  const findingWidth = Math.ceil(rest * 0.62);
  const table = new Table({
    head: ['CHECK', 'STATUS', 'FINDING', 'NEXT STEP'],
    colWidths: [15, 8, findingWidth, rest - findingWidth],
    wordWrap: true,
    // Breaking inside words loses nothing; cli-table3's word-boundary mode truncates long ones.
    wrapOnWordBoundary: false,
    style: { head: [], border: [] },
  });
  for (const f of findings) {
    const status = opts.colour ? `${COLOURS[f.status]}${f.status}\x1b[0m` : f.status;
    const detail = [f.summary, ...f.evidence.map((e) => `  ${e}`)].map(visible).join('\n');
    table.push([f.check, status, detail, visible(f.next ?? '')]);
  }
  const counts = (['FAIL', 'WARN', 'OK', 'SKIP'] as const).map((v) => `${findings.filter((f) => f.status === v).length} ${v}`).join(', ');
  return `${table.toString()}\n${counts}\n`;
}
