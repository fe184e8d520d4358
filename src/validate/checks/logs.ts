// Container logs: the CRI log file format (time, stream, tag), partial lines, ReopenContainerLog.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { containerState, expect, expectEqual, hostDir, runContainer, waitFor } from '../helpers.js';
import type { Check, CheckContext, PodHandle } from '../types.js';
import { critest } from './critest.js';

const spec = (it: string) => critest('Container runtime should support log', it);
const needs = ['testImage', 'hostFiles'] as const;

interface LogLine {
  time: string;
  stream: string;
  tag: string;
  content: string;
}

// <RFC 3339 time with nanoseconds> <stdout|stderr> <P|F>[:more tags] <content>
const LINE = /^(\S+) (stdout|stderr) ([PF])(?::\S*)? (.*)$/s;

/** The lines of a CRI log file; a line that is not in the format fails the check. */
function readLog(path: string): LogLine[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text
    .split('\n')
    .filter((l, i, all) => l !== '' || i < all.length - 1)
    .map((l) => {
      const m = LINE.exec(l);
      expect(m, `${path}: not a CRI log line: ${JSON.stringify(l.slice(0, 120))}`);
      expect(!Number.isNaN(Date.parse(m[1])), `${path}: bad timestamp ${JSON.stringify(m[1])}`);
      return { time: m[1], stream: m[2], tag: m[3], content: m[4] };
    });
}

async function podWithLogs(t: CheckContext, what: string): Promise<PodHandle & { dir: string }> {
  const dir = hostDir(t, 'logs');
  return { ...(await t.runPod(what, { logDirectory: dir })), dir };
}

async function waitExited(t: CheckContext, id: string): Promise<void> {
  await waitFor(
    t,
    'the container did not exit',
    async () => (await containerState(t, id)) === 'CONTAINER_EXITED',
    60_000,
  );
}

export const logChecks: Check[] = [
  {
    name: 'logs/cri-format',
    group: 'logs',
    critest: spec('runtime should support starting container with log [Conformance]'),
    needs,
    async run(t) {
      const pod = await podWithLogs(t, 'log');
      const cmd = 'echo out-line; echo err-line >&2';
      const { id } = await runContainer(t, 'log', { command: ['sh', '-c', cmd], logPath: 'c.log' }, pod);
      await waitExited(t, id);
      const lines = readLog(join(pod.dir, 'c.log'));
      const full = lines.map(({ stream, tag, content }) => ({ stream, tag, content }));
      for (const want of [
        { stream: 'stdout', tag: 'F', content: 'out-line' },
        { stream: 'stderr', tag: 'F', content: 'err-line' },
      ])
        expect(
          full.some((l) => JSON.stringify(l) === JSON.stringify(want)),
          `log has no line ${JSON.stringify(want)}: ${JSON.stringify(full)}`,
        );
    },
  },
  {
    name: 'logs/partial-lines',
    group: 'logs',
    critest: null,
    needs,
    async run(t) {
      // A line longer than the runtime's line limit (16 KiB by default) is split into P records
      // ending with one F record; joined, they are the line. An unsplit line is one F record.
      const pod = await podWithLogs(t, 'partial');
      const size = 40_000;
      const cmd = `printf '%0${size}d' 0; echo; printf 'no-newline'`;
      const { id } = await runContainer(t, 'partial', { command: ['sh', '-c', cmd], logPath: 'p.log' }, pod);
      await waitExited(t, id);
      const lines = readLog(join(pod.dir, 'p.log'));
      const firstFull = lines.findIndex((l) => l.tag === 'F');
      expect(firstFull >= 0, `no F record in ${JSON.stringify(lines.map((l) => l.tag))}`);
      const joined = lines
        .slice(0, firstFull + 1)
        .map((l) => l.content)
        .join('');
      expectEqual(joined.length, size, 'length of the long line joined from its records');
      t.log(`long line written as ${firstFull + 1} records`);
      // Output that ends without a newline is still logged (as a complete record at exit).
      const rest = lines
        .slice(firstFull + 1)
        .map((l) => l.content)
        .join('');
      expectEqual(rest, 'no-newline', 'output after the long line');
    },
  },
  {
    name: 'logs/reopen',
    group: 'logs',
    critest: spec('runtime should support reopening container log [Conformance]'),
    needs,
    async run(t) {
      const pod = await podWithLogs(t, 'reopen');
      const loop = 'while true; do echo reopen-me; sleep 0.2; done';
      const { id } = await runContainer(t, 'reopen', { command: ['sh', '-c', loop], logPath: 'r.log' }, pod);
      const log = join(pod.dir, 'r.log');
      await waitFor(t, 'the container wrote no log', () => readLog(log).length > 0, 30_000);
      renameSync(log, `${log}.old`);
      await t.cri.runtime.reopenContainerLog({ containerId: id }, { signal: t.signal });
      expect(existsSync(log), 'ReopenContainerLog did not create a new log file');
      await waitFor(t, 'nothing was logged to the reopened file', () => readLog(log).length > 0, 30_000);
      const before = readLog(`${log}.old`).length;
      await new Promise((r) => setTimeout(r, 1500));
      expectEqual(readLog(`${log}.old`).length, before, 'lines in the old log file after reopening');
    },
  },
];
