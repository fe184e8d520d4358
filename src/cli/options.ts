// Option definitions shared by several commands, and the validators that check their values while
// the command line is parsed (typanion, as clipanion expects). A bad value fails before the
// command runs, as one line in our words: help.ts shows a validator's message as it is.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { MAX_DURATION_MS } from '../config/settings.js';
import type { OutputFormat } from '../output/render.js';

/** A typanion check whose failure reads `message(value)` instead of typanion's own wording
 *  (`Expected one of "a", or "b" (got "x")`), so each flag names itself and what it expects. */
export function described<T>(
  check: t.StrictValidator<unknown, T>,
  message: (value: string) => string,
): t.StrictValidator<unknown, T> {
  return t.makeValidator<unknown, T>({
    test: (value, state): value is T => {
      if (check(value, state && { ...state, errors: [] })) return true;
      // typanion's error format: the path ("." for the value itself), then the message.
      state?.errors?.push(`${state.p ?? '.'}: ${message(String(value))}`);
      return false;
    },
  });
}

/** One of `values`, else `message`. */
export const isOneOf = <const T extends string>(values: readonly T[], message: (value: string) => string) =>
  described(t.isEnum(values), message);

/** A whole number in [min, max], written plainly ("1e3", " 5" and "1.0" are not), as a number. */
export const isWholeNumber = (min: number, max: number, message: (value: string) => string) =>
  described(t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(min, max)]), message);

/** Go's time.Duration ends at about 292 years: the most seconds a timeout can say. */
const MAX_SECONDS = Math.floor(MAX_DURATION_MS / 1000);

/** Whole seconds from `min`, as a number; `expected` says what else was wanted. */
export const isSeconds = (flag: string, min: number, expected: string) =>
  isWholeNumber(min, MAX_SECONDS, (value) =>
    /^\d+$/.test(value) && Number(value) >= min
      ? `${flag} "${value}": out of range (at most ${MAX_SECONDS} seconds, about 292 years)`
      : `${flag} "${value}": ${expected}`,
  );

/** A line or byte count where a negative number means "no limit". */
export const isCount = (flag: string) =>
  isWholeNumber(
    -Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER,
    (value) => `${flag} "${value}": expected a whole number`,
  );

/** -o/--output offering `formats`, defaulting to `initial` ('' = the command's own plain text). */
export function outputOption<const F extends OutputFormat, const I extends F | ''>(
  formats: readonly F[],
  initial: I,
  description = `Output format, One of: ${formats.join(', ')}`,
) {
  // clipanion checks the default too: '' passes where it is the default.
  const accepted: readonly (F | I)[] = initial === '' ? [...formats, initial] : formats;
  return Option.String('-o,--output', initial, {
    description,
    validator: isOneOf(accepted, (value) => `unsupported output format "${value}": use one of ${formats.join(', ')}`),
  });
}

/** The -o shapes: the list commands' (table first), one object's status (JSON first), a report
 *  that has no table. The descriptions are crictl's. */
export const listOutputOption = () =>
  outputOption(
    ['json', 'yaml', 'table', 'go-template'],
    'table',
    'Output format, One of: json, yaml, table, go-template',
  );
export const statusOutputOption = () => outputOption(['json', 'yaml', 'go-template', 'table'], 'json');
export const reportOutputOption = () => outputOption(['json', 'yaml', 'go-template'], 'json');

export const templateOption = () =>
  Option.String('--template', '', {
    description: 'The template string is only used when output is go-template; The Template format is golang template',
  });

/** How long runp, create and run wait for the runtime. */
export const cancelTimeoutOption = () =>
  Option.String('-T,--cancel-timeout', '', {
    description: 'Seconds to wait for the runtime before giving up (0 = the global --timeout)',
  });

/** The CONTAINER-ID arguments of start, stop and rm. */
export const containerIdsOption = () => Option.Rest({ name: 'CONTAINER-ID' });
