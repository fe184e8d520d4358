// Runs the fake CRI server with N containers behind ListContainers and StreamContainers, for the
// benchmark and for profiling: `node --import tsx test/fake-cri-lists.ts 50000` prints the
// endpoint once it is serving, then serves until its stdin closes.
import { fakeContainers, serveContainers, startFakeCri } from './fake-cri.js';

const n = Number(process.argv[2] ?? '1000');
const fake = await startFakeCri();
serveContainers(fake, fakeContainers(n));
process.stdout.write(`${fake.endpoint}\n`);
process.stdin.resume();
process.stdin.on('end', () => void fake.close().then(() => process.exit(0)));
