// Runtime info: Version and Status answer as the CRI says they must.
import { expect } from '../helpers.js';
import type { Check } from '../types.js';
import { critest } from './critest.js';

const spec = (it: string) => critest('Runtime info runtime should support returning runtime info', it);

export const runtimeChecks: Check[] = [
  {
    name: 'runtime/version',
    group: 'runtime',
    critest: spec('runtime should return version info [Conformance]'),
    async run(t) {
      const v = await t.cri.runtime.version({ version: 'v1' }, { signal: t.signal });
      expect(v.runtimeApiVersion, 'Version: runtime_api_version is empty');
      expect(v.runtimeName, 'Version: runtime_name is empty');
      expect(v.runtimeVersion, 'Version: runtime_version is empty');
      expect(v.version, 'Version: version is empty');
    },
  },
  {
    name: 'runtime/conditions',
    group: 'runtime',
    critest: spec('runtime should return runtime conditions [Conformance]'),
    async run(t) {
      const { status } = await t.cri.runtime.status({}, { signal: t.signal });
      for (const type of ['RuntimeReady', 'NetworkReady']) {
        const c = status?.conditions.find((x) => x.type === type);
        expect(c, `Status: no ${type} condition`);
        expect(c.status, `Status: ${type} is false: ${c.reason} ${c.message}`.trim());
      }
    },
  },
  {
    name: 'runtime/handlers',
    group: 'runtime',
    critest: null,
    async run(t) {
      const { runtimeHandlers } = await t.cri.runtime.status({}, { signal: t.signal });
      if (runtimeHandlers.length === 0) t.skip('Status reports no runtime handlers (an older CRI)');
      const names = runtimeHandlers.map((h) => h.name);
      expect(new Set(names).size === names.length, `Status: runtime handlers repeat: ${names.join(', ')}`);
      expect(names.includes(''), `Status: no default runtime handler (named "") among ${names.join(', ')}`);
    },
  },
];
