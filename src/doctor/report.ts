// `doctor`'s report: a bordered table for people (cli-table3; colour only on a terminal) or JSON
// with stable field names for scripts, and the exit code: 0 all OK, 2 warnings only, 1 any FAIL.
import Table from 'cli-table3';
import { escapeText } from '../output/escape.js';
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
  const checks = findings.map((f) => ({
    check: f.check,
    status: f.status,
    summary: f.summary,
    evidence: f.evidence,
    next: f.next ?? null,
  }));
  return `${JSON.stringify({ checks, counts, exitCode: exitCode(findings) }, null, 2)}\n`;
}

const COLOURS: Record<Verdict, string> = { OK: '\x1b[32m', WARN: '\x1b[33m', FAIL: '\x1b[31m', SKIP: '\x1b[90m' };

/**
 * Wraps each line at `width` characters. cli-table3's own wrapping either drops the ends of long
 * words or miscounts the colour codes of the status cell, so the long cells come wrapped.
 */
function hardWrap(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const chars = [...line];
      if (chars.length <= width) return [line];
      const parts: string[] = [];
      for (let i = 0; i < chars.length; i += width) parts.push(chars.slice(i, i + width).join(''));
      return parts;
    })
    .join('\n');
}

export function reportTable(findings: readonly Finding[], opts: { colour: boolean; width: number }): string {
  // Fixed columns for check and status; the rest split between finding and next step.
  const rest = Math.max(40, opts.width - 15 - 8 - 5);
  const findingWidth = Math.ceil(rest * 0.62);
  const table = new Table({
    head: ['CHECK', 'STATUS', 'FINDING', 'NEXT STEP'],
    colWidths: [15, 8, findingWidth, rest - findingWidth],
    style: { head: [], border: [] },
  });
  for (const f of findings) {
    const status = opts.colour ? `${COLOURS[f.status]}${f.status}\x1b[0m` : f.status;
    const detail = [f.summary, ...f.evidence.map((e) => `  ${e}`)].map(escapeText).join('\n');
    table.push([
      f.check,
      status,
      hardWrap(detail, findingWidth - 2),
      hardWrap(escapeText(f.next ?? ''), rest - findingWidth - 2),
    ]);
  }
  const counts = (['FAIL', 'WARN', 'OK', 'SKIP'] as const)
    .map((v) => `${findings.filter((f) => f.status === v).length} ${v}`)
    .join(', ');
  return `${table.toString()}\n${counts}\n`;
}
