// Expected strings are what Go's text/template (with crictl's json/title/lower/upper functions)
// prints for the same template and JSON-decoded data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CRICTL_TEMPLATE_OPTIONS,
  GoTemplateError,
  parseGoTemplate,
  renderGoTemplate,
  type GoTemplateOptions,
} from '../../src/output/go-template/index.js';

const data = {
  name: 'nginx',
  count: 2,
  ratio: 1.5,
  big: 1e21,
  million: 1000000,
  tiny: 0.00001,
  zero: 0,
  empty: '',
  yes: true,
  no: false,
  nothing: null,
  list: ['a', 'b', 'c'],
  mixed: [1, 'two', true, null],
  items: [
    { id: 'c1', name: 'web', labels: { app: 'web', tier: 'fe' } },
    { id: 'c2', name: 'db', labels: {} },
  ],
  labels: { zeta: 'z', alpha: 'a', mid: 'm' },
  nested: { a: { b: { c: 'deep' } } },
  markup: '<b>&</b>',
};

function r(template: string, d: unknown = data, options?: GoTemplateOptions): string {
  return renderGoTemplate(template, d, options);
}

function fails(template: string, message: string, d: unknown = data, options?: GoTemplateOptions): void {
  assert.throws(
    () => r(template, d, options),
    (e: unknown) => {
      assert.ok(e instanceof GoTemplateError, `expected GoTemplateError, got ${String(e)}`);
      assert.equal(e.message, message);
      return true;
    },
  );
}

describe('text, actions, trim markers and comments', () => {
  it('copies text and prints actions', () => {
    assert.equal(r('plain text'), 'plain text');
    assert.equal(r('name={{.name}} count={{.count}}'), 'name=nginx count=2');
    assert.equal(r(''), '');
  });

  it('trims whitespace around {{- and -}}', () => {
    assert.equal(r('a  \n {{- .name -}} \n\t b'), 'anginxb');
    assert.equal(r('a {{- .name}} b'), 'anginx b');
    assert.equal(r('a {{.name -}} b'), 'a nginxb');
    // "-3" without a space is a number, not a trim marker.
    assert.equal(r('a {{-3}} b'), 'a -3 b');
  });

  it('drops comments, with or without trim markers', () => {
    assert.equal(r('a{{/* a comment */}}b'), 'ab');
    assert.equal(r('a {{- /* multi\nline */ -}} b'), 'ab');
  });

  it('accepts newlines inside actions', () => {
    assert.equal(r('{{printf "%s-%s"\n  .name\n  "x"}}'), 'nginx-x');
  });
});

describe('fields', () => {
  it('follows field chains through maps', () => {
    assert.equal(r('{{.nested.a.b.c}}'), 'deep');
    assert.equal(r('{{.}}', 'just a string'), 'just a string');
  });

  it('prints <no value> for missing keys by default', () => {
    assert.equal(r('{{.missing}}'), '<no value>');
    assert.equal(r('{{.nested.missing}}'), '<no value>');
    assert.equal(r('{{.missing.deeper}}'), '<no value>');
    assert.equal(r('{{.nested.a.missing}}|{{.name}}'), '<no value>|nginx');
  });

  it('prints <no value> for a null field but <nil> when passed to a function', () => {
    assert.equal(r('{{.nothing}}'), '<no value>');
    assert.equal(r('{{print .nothing}}'), '<nil>');
    assert.equal(r('{{printf "%v" .missing}}'), '<nil>');
  });

  it('honours missingkey=zero and missingkey=error', () => {
    assert.equal(r('{{.missing}}', data, { missingKey: 'zero' }), '<no value>');
    fails('{{.missing}}', 'template: 1:2: executing at <.missing>: map has no entry for key "missing"', data, {
      missingKey: 'error',
    });
    fails('{{.missing.x}}', 'template: 1:10: executing at <.missing.x>: map has no entry for key "missing"', data, {
      missingKey: 'error',
    });
  });

  it('reports a field of null or of a non-map like Go', () => {
    fails('{{.nothing.x}}', 'template: 1:10: executing at <.nothing.x>: nil pointer evaluating interface {}.x');
    fails('{{.list.x}}', "template: 1:7: executing at <.list.x>: can't evaluate field x in type interface {}");
    fails('{{.x}}', "template: 1:2: executing at <.x>: can't evaluate field x in type string", 'str');
    fails('{{.name 1}}', 'template: 1:2: executing at <.name>: name is not a method but has arguments');
  });
});

describe('variables', () => {
  it('supports $, := and =', () => {
    assert.equal(r('{{$x := .name}}{{$x}}'), 'nginx');
    assert.equal(r('{{$x := 1}}{{$x = 2}}{{$x}}'), '2');
    assert.equal(r('{{range .items}}{{$.name}}/{{.name}} {{end}}'), 'nginx/web nginx/db ');
    assert.equal(r('{{$last := ""}}{{range .items}}{{$last = .id}}{{end}}{{$last}}'), 'c2');
    assert.equal(r('{{with $n := .name}}{{$n}}!{{end}}'), 'nginx!');
  });

  it('scopes variables to the enclosing block', () => {
    fails('{{if true}}{{$x := 1}}{{end}}{{$x}}', 'template: 1: undefined variable "$x"');
    fails('{{$x}}', 'template: 1: undefined variable "$x"');
  });
});

describe('range', () => {
  it('iterates arrays', () => {
    assert.equal(r('{{range .items}}{{.id}}{{"\\n"}}{{end}}'), 'c1\nc2\n');
    assert.equal(r('{{range $i, $e := .list}}{{$i}}={{$e}} {{end}}'), '0=a 1=b 2=c ');
    assert.equal(r('{{range $e := .list}}{{$e}}{{end}}'), 'abc');
    assert.equal(r('{{range .mixed}}[{{.}}]{{end}}'), '[1][two][true][<no value>]');
  });

  it('iterates maps in sorted key order', () => {
    assert.equal(r('{{range $k, $v := .labels}}{{$k}}={{$v}};{{end}}'), 'alpha=a;mid=m;zeta=z;');
    assert.equal(r('{{range .labels}}{{.}}{{end}}'), 'amz');
  });

  it('runs {{else}} for empty, null and missing values', () => {
    assert.equal(r('{{range .items}}{{range .labels}}{{.}}{{else}}none{{end}};{{end}}'), 'webfe;none;');
    assert.equal(r('{{range .nothing}}x{{else}}null{{end}}'), 'null');
    assert.equal(r('{{range .missing}}x{{else}}missing{{end}}'), 'missing');
  });

  it('supports break, continue and ranging over an integer', () => {
    assert.equal(r('{{range .list}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}'), 'ac');
    assert.equal(r('{{range .list}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}'), 'a');
    assert.equal(r('{{range 3}}{{.}}{{end}}'), '012');
    fails('{{break}}', 'template: 1: {{break}} outside {{range}}');
  });

  it('refuses to range over a scalar', () => {
    fails('{{range .name}}{{end}}', "template: 1:8: executing at <.name>: range can't iterate over nginx");
    fails('{{range .ratio}}{{end}}', "template: 1:8: executing at <.ratio>: range can't iterate over 1.5");
  });
});

describe('if and with', () => {
  it('uses Go truthiness', () => {
    const truth = (expr: string) => r(`{{if ${expr}}}T{{else}}F{{end}}`);
    assert.equal(truth('.name'), 'T');
    assert.equal(truth('.empty'), 'F');
    assert.equal(truth('.zero'), 'F');
    assert.equal(truth('.count'), 'T');
    assert.equal(truth('.no'), 'F');
    assert.equal(truth('.nothing'), 'F');
    assert.equal(truth('.missing'), 'F');
    assert.equal(truth('.list'), 'T');
    assert.equal(truth('(index .items 1).labels'), 'F');
    assert.equal(truth('0'), 'F');
    assert.equal(truth('0.0'), 'F');
    assert.equal(truth('""'), 'F');
  });

  it('chains else if', () => {
    const t = '{{if .zero}}zero{{else if .no}}no{{else if .yes}}yes{{else}}none{{end}}';
    assert.equal(r(t), 'yes');
    assert.equal(r('{{if .no}}a{{else if .zero}}b{{else}}c{{end}}'), 'c');
  });

  it('sets dot in with, and has else and else with', () => {
    assert.equal(r('{{with .nested.a.b}}{{.c}}{{end}}'), 'deep');
    assert.equal(r('{{with .missing}}x{{else}}none{{end}}'), 'none');
    assert.equal(r('{{with .empty}}x{{else with .name}}{{.}}{{end}}'), 'nginx');
  });
});

describe('pipelines and parentheses', () => {
  it('passes the value along as the last argument', () => {
    assert.equal(r('{{.name | printf "%s!"}}'), 'nginx!');
    assert.equal(r('{{"x" | printf "%s-%s" "y"}}'), 'y-x');
    assert.equal(r('{{.name | upper | printf "<%s>"}}'), '<NGINX>');
    assert.equal(r('{{.items | len}}'), '2');
  });

  it('evaluates parenthesised sub-expressions and fields on them', () => {
    assert.equal(r('{{printf "%d-%s" (len .list) (index .items 1).name}}'), '3-db');
    assert.equal(r('{{(index .items 0).labels.app}}'), 'web');
    assert.equal(r('{{(len .list)}}'), '3');
  });

  it('rejects non-executable pipeline stages', () => {
    fails('{{.name | "x"}}', 'template: 1: non executable command in pipeline stage 2');
  });
});

describe('literals', () => {
  it('unquotes interpreted and raw strings', () => {
    assert.equal(r('{{"a\\tb\\u00e9\\x41\\101\\""}}'), 'a\tbéAA"');
    assert.equal(r('{{`raw \\n {{ }}`}}'), 'raw \\n {{ }}');
  });

  it('types numbers like Go constants', () => {
    assert.equal(r("{{42}} {{-5}} {{0x1F}} {{0o17}} {{017}} {{1_000}} {{'a'}}"), '42 -5 31 15 15 1000 97');
    assert.equal(r('{{1.5}} {{2.50}} {{1e3}} {{1e21}} {{1000000.0}} {{0.00001}}'), '1.5 2.5 1000 1e+21 1e+06 1e-05');
    assert.equal(r('{{printf "%T %T %T" 1 1.0 \'x\'}}'), 'int float64 int');
  });

  it('has true, false and nil', () => {
    assert.equal(r('{{true}} {{false}}'), 'true false');
    fails('{{nil}}', 'template: 1:2: executing at <nil>: nil is not a command');
  });
});

describe('printing values like fmt %v', () => {
  it('prints float64 data the way Go does', () => {
    assert.equal(r('{{.count}} {{.ratio}} {{.big}} {{.million}} {{.tiny}}'), '2 1.5 1e+21 1e+06 1e-05');
    assert.equal(r('{{.}}', 123456), '123456');
    assert.equal(r('{{.}}', 1234567), '1.234567e+06');
    assert.equal(r('{{.}}', 0.0001), '0.0001');
    assert.equal(r('{{.}}', -2.5), '-2.5');
  });

  it('prints maps with sorted keys and arrays space-separated', () => {
    assert.equal(r('{{.labels}}'), 'map[alpha:a mid:m zeta:z]');
    assert.equal(r('{{.mixed}}'), '[1 two true <nil>]');
    assert.equal(r('{{.items}}'), '[map[id:c1 labels:map[app:web tier:fe] name:web] map[id:c2 labels:map[] name:db]]');
    assert.equal(r('{{.}}', { e: [], m: {} }), 'map[e:[] m:map[]]');
    assert.equal(r('{{.yes}} {{.no}}'), 'true false');
  });
});

describe('builtin functions', () => {
  it('and, or, not (short-circuiting, returning operands)', () => {
    assert.equal(r('{{and 1 0 2}} {{and 1 2}} {{or 0 "" "x"}} {{or 0 ""}}|'), '0 2 x |');
    assert.equal(r('{{not 0}} {{not .list}} {{not .nothing}}'), 'true false true');
    assert.equal(r('{{and false (index .list 99)}} {{or true (index .list 99)}}'), 'false true');
  });

  it('len counts elements, keys and bytes', () => {
    assert.equal(r('{{len .list}} {{len .labels}} {{len .name}} {{len "héllo"}}'), '3 3 5 6');
    fails('{{len .ratio}}', 'template: 1:2: executing at <len .ratio>: error calling len: len of type float64');
    fails('{{len .nothing}}', 'template: 1:2: executing at <len .nothing>: error calling len: len of nil pointer');
  });

  it('index and slice', () => {
    assert.equal(
      r('{{index .list 1}} {{index .labels "mid"}} {{index .nested "a" "b" "c"}} {{index "abc" 1}}'),
      'b m deep 98',
    );
    assert.equal(r('{{index .labels "nope"}}'), '<no value>');
    assert.equal(
      r('{{slice .list 1}} {{slice .list 0 2}} {{slice "hello" 1 3}} {{slice .list}}'),
      '[b c] [a b] el [a b c]',
    );
    fails(
      '{{index .list 9}}',
      'template: 1:2: executing at <index .list 9>: error calling index: index out of range: 9',
    );
    fails(
      '{{index .nothing 0}}',
      'template: 1:2: executing at <index .nothing 0>: error calling index: index of untyped nil',
    );
    fails(
      '{{slice .list 2 1}}',
      'template: 1:2: executing at <slice .list 2 1>: error calling slice: invalid slice index: 2 > 1',
    );
  });

  it('eq, ne, lt, le, gt, ge', () => {
    assert.equal(r('{{eq .name "nginx"}} {{eq 1 2 1}} {{eq "a" "b" "c"}} {{ne 1 2}}'), 'true true false true');
    assert.equal(r('{{eq .count 2.0}} {{eq .missing nil}} {{eq .nothing nil}}'), 'true true true');
    assert.equal(r('{{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1.5 2.5}} {{lt "10" "9"}}'), 'true true true false true');
    // JSON numbers are float64, integer literals are int: Go refuses to compare them.
    fails(
      '{{eq .count 2}}',
      'template: 1:2: executing at <eq .count 2>: error calling eq: incompatible types for comparison: float64 and int',
    );
    fails('{{lt .list 1}}', 'template: 1:2: executing at <lt .list 1>: error calling lt: invalid type for comparison');
    fails('{{eq 1}}', 'template: 1:2: executing at <eq 1>: error calling eq: missing argument for comparison');
    fails('{{ne 1 2 3}}', 'template: 1:2: executing at <ne>: wrong number of args for ne: want 2 got 3');
  });

  it('print and println', () => {
    // Sprint puts spaces only between operands when neither is a string.
    assert.equal(r('{{print 1 2 "a" "b" 3}}'), '1 2ab3');
    assert.equal(r('{{print .count .ratio}}'), '2 1.5');
    assert.equal(r('{{println "a" 1}}'), 'a 1\n');
    assert.equal(r('{{print}}|{{print nil}}'), '|<nil>');
  });

  it('html, js and urlquery', () => {
    assert.equal(r('{{html .markup}}'), '&lt;b&gt;&amp;&lt;/b&gt;');
    assert.equal(r('{{html "\\"x\\" \'y\'"}}'), '&#34;x&#34; &#39;y&#39;');
    assert.equal(r('{{html .missing}}'), '&lt;no value&gt;');
    assert.equal(r('{{js "it\'s \\"x\\" <b> & =\\n"}}'), 'it\\\'s \\"x\\" \\u003Cb\\u003E \\u0026 \\u003D\\u000A');
    assert.equal(r('{{urlquery "a b&c=d/é"}} {{urlquery "a b" "c"}}'), 'a+b%26c%3Dd%2F%C3%A9 a+bc');
  });

  it('call fails like Go, since JSON data holds no functions', () => {
    fails(
      '{{call .name}}',
      'template: 1:2: executing at <call .name>: error calling call: non-function .name of type string',
    );
  });

  it('reports wrongly typed arguments', () => {
    fails('{{upper 1}}', 'template: 1:8: executing at <1>: expected string; found 1');
    fails(
      '{{upper .ratio}}',
      'template: 1:8: executing at <.ratio>: wrong type for value; expected string; got float64',
    );
    fails('{{upper .missing}}', 'template: 1:8: executing at <.missing>: invalid value; expected string');
  });
});

describe('printf', () => {
  it('formats strings', () => {
    assert.equal(r('{{printf "%-10s|" .name}}'), 'nginx     |');
    assert.equal(
      r('{{printf "%10s|%.2s|%q|%x|% x|%X" "abc" "abc" "a\\"b" "hi" "hi" "hi"}}'),
      '       abc|ab|"a\\"b"|6869|68 69|6869',
    );
    assert.equal(r('{{printf "%s %v" .name .name}}'), 'nginx nginx');
  });

  it('formats integers', () => {
    assert.equal(
      r('{{printf "%d|%5d|%-5d|%05d|%+d|%x|%X|%#x|%o|%b|%c|%q|%U" 42 42 42 -42 5 255 255 255 8 5 65 65 65}}'),
      "42|   42|42   |-0042|+5|ff|FF|0xff|10|101|A|'A'|U+0041",
    );
    assert.equal(r('{{printf "%d" (len .list)}}'), '3');
  });

  it('formats floats with Go rounding', () => {
    assert.equal(
      r('{{printf "%f|%.2f|%5.1f|%-8.3f|%08.3f|%+.1f" 1.5 3.14159 2.25 2.5 -1.5 2.0}}'),
      '1.500000|3.14|  2.2|2.500   |-001.500|+2.0',
    );
    assert.equal(r('{{printf "%.0f %.0f %.2f %.1f" 2.5 3.5 0.125 -0.04}}'), '2 4 0.12 -0.0');
    assert.equal(
      r('{{printf "%e|%E|%g|%g|%.3g|%G|%v" 123456.789 0.000123 123456.789 1e6 3.14159 1e-7 .ratio}}'),
      '1.234568e+05|1.230000E-04|123456.789|1e+06|3.14|1E-07|1.5',
    );
  });

  it('formats booleans, nil, maps, arrays and types', () => {
    assert.equal(r('{{printf "%t %v" .yes .no}}'), 'true false');
    assert.equal(r('{{printf "%v %s" nil .nothing}}'), '<nil> %!s(<nil>)');
    assert.equal(
      r('{{printf "%v|%s|%d" .labels .list .mixed}}'),
      'map[alpha:a mid:m zeta:z]|[a b c]|[%!d(float64=1) %!d(string=two) %!d(bool=true) <nil>]',
    );
    assert.equal(
      r('{{printf "%T %T %T %T %T %T" 1 1.5 "s" true .list .labels}}'),
      'int float64 string bool []interface {} map[string]interface {}',
    );
    assert.equal(r('{{printf "%T" .count}}'), 'float64');
  });

  it('reports bad verbs, missing and extra operands like fmt', () => {
    assert.equal(r('{{printf "%d %s %t" .ratio 5 "x"}}'), '%!d(float64=1.5) %!s(int=5) %!t(string=x)');
    assert.equal(r('{{printf "%s %s" "a"}}'), 'a %!s(MISSING)');
    assert.equal(r('{{printf "%s" "a" "b" 1}}'), 'a%!(EXTRA string=b, int=1)');
    assert.equal(r('{{printf "100%%"}}'), '100%');
    assert.equal(r('{{printf "%*d|%[2]s %[1]d" 5 42}}'), '   42|%!s(int=42) 5');
  });
});

describe('crictl functions', () => {
  it('json encodes compactly with sorted keys and HTML escaping, plus the encoder newline', () => {
    assert.equal(r('{{json .labels}}'), '{"alpha":"a","mid":"m","zeta":"z"}\n');
    assert.equal(r('{{json .mixed}}'), '[1,"two",true,null]\n');
    assert.equal(r('{{json .markup}}'), '"\\u003cb\\u003e\\u0026\\u003c/b\\u003e"\n');
    assert.equal(r('{{json .big}} {{json 1}} {{json 1.5}} {{json .missing}}'), '1e+21\n 1\n 1.5\n null\n');
    assert.equal(r('{{json .}}', { b: { y: 1, x: [] }, a: 'q\n\t"' }), '{"a":"q\\n\\t\\"","b":{"x":[],"y":1}}\n');
  });

  it('title, lower and upper', () => {
    assert.equal(r('{{title "hello world-wide web_server don\'t"}}'), "Hello World-Wide Web_server Don't");
    assert.equal(r('{{title "CONTAINER_RUNNING"}} {{title "élan vital"}}'), 'CONTAINER_RUNNING Élan Vital');
    assert.equal(r('{{upper .name}} {{lower "MiXeD"}} {{.name | upper}}'), 'NGINX mixed NGINX');
  });
});

describe('define, template and block', () => {
  it('calls named templates with their own dot and variables', () => {
    assert.equal(r('{{define "item"}}[{{.id}}]{{end}}{{range .items}}{{template "item" .}}{{end}}'), '[c1][c2]');
    assert.equal(r('A{{define "t"}}T{{end}}B{{template "t"}}'), 'ABT');
    assert.equal(r('{{block "b" .name}}<{{.}}>{{end}}'), '<nginx>');
    fails('{{template "nope"}}', 'template: 1:11: executing at <{{template "nope"}}>: template "nope" not defined');
  });
});

describe('errors', () => {
  it('reports parse errors with the line, as Go does', () => {
    fails('{{foo}}', 'template: 1: function "foo" not defined');
    fails('line one\n{{.name}} {{foo 1}}', 'template: 2: function "foo" not defined');
    fails('{{.}', 'template: 1: unexpected "}" in operand');
    fails('{{.name', 'template: 1: unclosed action');
    fails('{{.name\n', 'template: 2: unclosed action started at 1');
    fails('{{if .name}}x', 'template: 1: unexpected EOF');
    fails('{{end}}', 'template: 1: unexpected {{end}}');
    fails('{{if}}{{end}}', 'template: 1: missing value for if');
    fails('{{"abc}}', 'template: 1: unterminated quoted string');
    fails('{{/* x', 'template: 1: unclosed comment');
    fails('{{.name)}}', 'template: 1: unexpected ")" in command');
    fails('{{3x}}', 'template: 1: bad number syntax: "3x"');
    fails('{{.a#}}', "template: 1: bad character U+0023 '#'");
    fails('{{"\\q"}}', 'template: 1: invalid syntax');
  });

  it('names the template when given a name, like crictl', () => {
    fails('{{foo}}', 'template: tmplExecuteRawJSON:1: function "foo" not defined', data, CRICTL_TEMPLATE_OPTIONS);
  });

  it('keeps messages on one line', () => {
    assert.throws(
      () => r('{{range .}}{{end}}', 'two\nlines'),
      (e: unknown) => {
        assert.ok(e instanceof GoTemplateError);
        assert.equal(e.message, "template: 1:8: executing at <.>: range can't iterate over two\\nlines");
        assert.ok(!e.message.includes('\n'));
        return true;
      },
    );
  });
});

describe('crictl mode (json.Number data, missingkey=error)', () => {
  const info = { pid: 1234567, zero: 0, limit: 1073741824, ratio: 0.5, state: 'CONTAINER_RUNNING' };
  const c = (t: string) => r(t, info, CRICTL_TEMPLATE_OPTIONS);

  it('prints numbers exactly as the JSON wrote them', () => {
    assert.equal(c('{{.pid}} {{.limit}} {{.ratio}}'), '1234567 1073741824 0.5');
    assert.equal(
      c('{{json .}}'),
      '{"limit":1073741824,"pid":1234567,"ratio":0.5,"state":"CONTAINER_RUNNING","zero":0}\n',
    );
    assert.equal(c('{{.pid.Int64}}'), '1234567');
  });

  it('treats numbers as strings the way json.Number is one', () => {
    assert.equal(
      c('{{printf "%d|%s|%v|%T" .pid .pid .pid .pid}}'),
      '%!d(json.Number=1234567)|1234567|1234567|json.Number',
    );
    assert.equal(
      c('{{eq .pid "1234567"}} {{len .pid}} {{if .zero}}true{{end}} {{print .pid .zero}}'),
      'true 7 true 12345670',
    );
    assert.throws(() => c('{{eq .pid 1}}'), /incompatible types for comparison: json.Number and int/);
  });

  it("fails on missing keys with crictl's message", () => {
    assert.throws(
      () => c('{{.missing}}'),
      (e: unknown) => {
        assert.ok(e instanceof GoTemplateError);
        assert.equal(
          e.message,
          'template: tmplExecuteRawJSON:1:2: executing "tmplExecuteRawJSON" at <.missing>: map has no entry for key "missing"',
        );
        return true;
      },
    );
    assert.equal(c('{{.state | title}}'), 'CONTAINER_RUNNING');
  });
});

describe('parseGoTemplate', () => {
  it('compiles once and renders many values', () => {
    const tmpl = parseGoTemplate('{{.id}}:{{range $k, $v := .labels}}{{$k}}={{$v}},{{end}}\n');
    assert.equal(tmpl.execute(data.items[0]), 'c1:app=web,tier=fe,\n');
    assert.equal(tmpl.execute(data.items[1]), 'c2:\n');
    const started = Date.now();
    let out = '';
    for (let i = 0; i < 20000; i++) out += tmpl.execute({ id: `c${i}`, labels: { a: String(i) } });
    assert.equal(out.length > 0, true);
    assert.ok(Date.now() - started < 5000, 'rendering 20000 items should be quick');
  });

  it('throws syntax errors at parse time', () => {
    assert.throws(() => parseGoTemplate('{{.a'), GoTemplateError);
  });
});
