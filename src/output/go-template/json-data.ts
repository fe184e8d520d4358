// Template data from JSON text, decoded as crictl decodes it (json.Decoder.UseNumber): every
// number keeps the text it was written with. JSON.parse keeps it too when String(n) spells the
// number the same way, which is nearly always; other numbers (past 2^53, or written like 1e-05)
// become JsonNumber, so a template prints 9223372036854775807, not 9223372036854775808.
import { JsonNumber } from './values.js';

const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

function isExact(text: string): boolean {
  const n = Number(text);
  return text === (Object.is(n, -0) ? '-0' : String(n));
}

export function parseJsonData(text: string): unknown {
  let exact = true;
  for (const [token] of text.matchAll(STRING_OR_NUMBER)) {
    if (token[0] !== '"' && !isExact(token)) {
      exact = false;
      break;
    }
  }
  return exact ? JSON.parse(text) : new Parser(text).document();
}

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}[\]:,]))/y;

/** A small recursive-descent JSON parser for the rare documents that need JsonNumber. */
class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  document(): unknown {
    const value = this.value(this.next());
    if (/\S/.test(this.text.slice(this.pos))) this.fail();
    return value;
  }

  private next(): RegExpExecArray {
    TOKEN.lastIndex = this.pos;
    const m = TOKEN.exec(this.text);
    if (m === null) this.fail();
    this.pos = TOKEN.lastIndex;
    return m;
  }

  private fail(): never {
    throw new SyntaxError(`invalid JSON at offset ${this.pos}`);
  }

  private value(t: RegExpExecArray): unknown {
    const [, str, num, word, punct] = t;
    if (str !== undefined) return JSON.parse(str) as string;
    if (num !== undefined) return isExact(num) ? Number(num) : new JsonNumber(num);
    if (word !== undefined) return word === 'null' ? null : word === 'true';
    if (punct === '[') {
      const list: unknown[] = [];
      let t2 = this.next();
      if (t2[4] === ']') return list;
      for (;;) {
        list.push(this.value(t2));
        const sep = this.next()[4];
        if (sep === ']') return list;
        if (sep !== ',') this.fail();
        t2 = this.next();
      }
    }
    if (punct === '{') {
      const map: Record<string, unknown> = {};
      let key = this.next();
      if (key[4] === '}') return map;
      for (;;) {
        if (key[1] === undefined || this.next()[4] !== ':') this.fail();
        // defineProperty: a "__proto__" key is data, not the object's prototype.
        Object.defineProperty(map, JSON.parse(key[1]) as string, {
          value: this.value(this.next()),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        const sep = this.next()[4];
        if (sep === '}') return map;
        if (sep !== ',') this.fail();
        key = this.next();
      }
    }
    return this.fail();
  }
}
