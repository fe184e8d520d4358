// Base class of crictl commands: access to settings, the CRI clients, and output helpers.
import { Command } from 'clipanion';
import type { CliContext } from './context.js';
import { escapeText } from '../output/escape.js';

export abstract class CriCommand extends Command<CliContext> {
  /** Streams or reads much data, so start.ts keeps V8's optimizing compiler for it. */
  static longRunning = false;
  /** Never talks to the runtime, so start.ts does not load node:http2 before it. */
  static offline = false;

  protected async runtime() {
    return (await this.context.cri()).runtime;
  }

  protected async images() {
    return (await this.context.cri()).image;
  }

  /**
   * Deadline for calls that create or remove things (image unpack, CNI, stopping processes):
   * an explicit --cancel-timeout wins; otherwise the global timeout, but never under 60 s.
   */
  protected async callTimeout(explicit = ''): Promise<number> {
    if (explicit) {
      const { parseDuration } = await import('../config/settings.js');
      return parseDuration(explicit, '--cancel-timeout');
    }
    const { timeoutMs } = await this.context.settings();
    return timeoutMs === 0 ? 0 : Math.max(timeoutMs, 60_000);
  }

  /** Warns (does not fail) when a pod config's cgroup_parent does not fit the runtime's driver. */
  protected async checkCgroupParent(file: string, parent: string | undefined): Promise<void> {
    if (!parent) return;
    const { cgroupDriver, cgroupParentWarning } = await import('../spec/cgroup.js');
    const warning = cgroupParentWarning(file, parent, await cgroupDriver(await this.runtime()));
    if (warning) this.warn(warning);
  }

  /**
   * Applies `op` to every item, a few at a time, past failures (one stderr line each). Returns
   * the exit code: 0, 1 if any failed, 130 if interrupted.
   */
  protected async bulk<T>(
    items: readonly T[],
    op: (item: T) => Promise<string | undefined>,
    label: (item: T) => string,
    concurrency?: number,
  ): Promise<number> {
    const { runBulk, bulkExitCode, BULK_CONCURRENCY } = await import('./bulk.js');
    const r = await runBulk(
      items,
      concurrency ?? BULK_CONCURRENCY,
      op,
      this.context.stdout,
      this.context.stderr,
      label,
    );
    return bulkExitCode(r);
  }

  protected out(text: string): void {
    this.context.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A warning line; it may carry runtime text, so control characters are shown escaped. */
  protected warn(text: string): void {
    const line = escapeText(text);
    this.context.stderr.write(line.endsWith('\n') ? line : `${line}\n`);
  }
}
