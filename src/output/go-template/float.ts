// Float formatting as Go's strconv does it ('e', 'f', 'g', 'x'), rounded exactly.

/** A decimal: value = 0.d × 10^dp, with no leading or trailing zeros in d ('' for zero). */
export interface Decimal {
  d: string;
  dp: number;
}

export function float64Bits(x: number): { mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { mant, exp: -1074 };
  mant |= 1n << 52n;
  return { mant, exp: biased - 1075 };
}

export function trimDecimal(d: string, dp: number): Decimal {
  const t = d.replace(/0+$/, '');
  return t === '' ? { d: '', dp: 0 } : { d: t, dp };
}

/** The exact decimal expansion of |x| (a double is m·2^e, which always has a finite one). */
export function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const { mant, exp } = float64Bits(Math.abs(x));
  if (exp >= 0) {
    const s = (mant << BigInt(exp)).toString();
    return trimDecimal(s, s.length);
  }
  const s = (mant * 5n ** BigInt(-exp)).toString();
  return trimDecimal(s, s.length + exp);
}

/** The shortest decimal that reads back as |x|, as Go's and JS's shortest formatting pick. */
export function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const [mantissa, e] = Math.abs(x).toExponential().split('e');
  return trimDecimal(mantissa.replace('.', ''), Number(e) + 1);
}

/** Rounds to nd significant digits, half to even (ties are exact since the expansion is exact). */
export function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  const digit = a.d.charCodeAt(nd) - 48;
  const up = digit > 5 || (digit === 5 && (nd + 1 < a.d.length || (nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1)));
  if (!up) return trimDecimal(a.d.slice(0, nd), a.dp);
  let i = nd - 1;
  while (i >= 0 && a.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  return trimDecimal(a.d.slice(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), a.dp);
}

export function fmtE(a: Decimal, prec: number, e: string): string {
  let s = a.d.length ? a.d[0] : '0';
  if (prec > 0) s += `.${a.d.slice(1, prec + 1).padEnd(prec, '0')}`;
  let exp = a.d.length ? a.dp - 1 : 0;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${s}${e}${sign}${exp < 10 ? `0${exp}` : exp}`;
}

export function fmtF(a: Decimal, prec: number): string {
  let s = a.dp > 0 ? a.d.slice(0, a.dp).padEnd(a.dp, '0') : '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = a.dp + i - 1;
      s += j >= 0 && j < a.d.length ? a.d[j] : '0';
    }
  }
  return s;
}

/** Hexadecimal mantissa and binary exponent, Go's %x for floats: 0x1.8p+01. */
export function fmtHexFloat(x: number, prec: number, upper: boolean): string {
  let { mant, exp } = float64Bits(Math.abs(x));
  let s: string;
  if (mant === 0n) {
    s = `0x0${prec > 0 ? `.${'0'.repeat(prec)}` : ''}p+00`;
  } else {
    while (mant < 1n << 52n) {
      mant <<= 1n;
      exp--;
    }
    exp += 52;
    let frac = mant & ((1n << 52n) - 1n);
    let lead = 1n;
    if (prec >= 0 && prec < 13) {
      const shift = BigInt(52 - 4 * prec);
      const half = 1n << (shift - 1n);
      const rest = frac & ((1n << shift) - 1n);
      frac >>= shift;
      if (rest > half || (rest === half && (frac & 1n) === 1n)) frac++;
      if (frac >> BigInt(4 * prec) !== 0n) {
        frac = 0n;
        lead = 2n;
      }
      if (lead === 2n) {
        lead = 1n;
        exp++;
      }
    }
    let digits =
      prec >= 0 && prec < 13
        ? prec === 0
          ? ''
          : frac.toString(16).padStart(prec, '0')
        : frac.toString(16).padStart(13, '0').replace(/0+$/, '');
    if (prec >= 13) digits = digits.padEnd(prec, '0');
    const e = Math.abs(exp);
    s = `0x${lead}${digits ? `.${digits}` : ''}p${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  return upper ? s.toUpperCase() : s;
}

/** strconv.FormatFloat(x, verb, prec, 64); prec < 0 means the shortest exact representation. */
export function formatFloat(x: number, verb: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (verb === 'b') {
    const { mant, exp } = float64Bits(Math.abs(x));
    const e = exp;
    return `${sign}${mant}p${e >= 0 ? '+' : '-'}${Math.abs(e)}`;
  }
  if (verb === 'x' || verb === 'X') return sign + fmtHexFloat(x, prec, verb === 'X');
  const shortest = prec < 0;
  let a: Decimal;
  if (shortest) {
    a = shortestDecimal(x);
    if (verb === 'e' || verb === 'E') prec = Math.max(a.d.length - 1, 0);
    else if (verb === 'f' || verb === 'F') prec = Math.max(a.d.length - a.dp, 0);
    else prec = a.d.length;
  } else {
    a = exactDecimal(x);
    if (verb === 'e' || verb === 'E') a = roundDecimal(a, prec + 1);
    else if (verb === 'f' || verb === 'F') a = roundDecimal(a, a.dp + prec);
    else {
      if (prec === 0) prec = 1;
      a = roundDecimal(a, prec);
    }
  }
  switch (verb) {
    case 'e':
    case 'E':
      return sign + fmtE(a, prec, verb);
    case 'f':
    case 'F':
      return sign + fmtF(a, prec);
    default: {
      // %g: %e for large and small exponents, %f otherwise.
      let eprec = prec;
      if (eprec > a.d.length && a.d.length >= a.dp) eprec = a.d.length;
      if (shortest) eprec = 6;
      const exp = a.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > a.d.length) prec = a.d.length;
        return sign + fmtE(a, prec - 1, verb === 'G' ? 'E' : 'e');
      }
      if (prec > a.dp) prec = a.d.length;
      return sign + fmtF(a, Math.max(prec - a.dp, 0));
    }
  }
}
