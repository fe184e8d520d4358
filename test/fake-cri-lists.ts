// Runs the fake CRI server with N containers behind ListContainers and StreamContainers, for the
// benchmark and for profiling: `node --import tsx test/fake-cri-lists.ts 50000` prints the
// endpoint once it is serving, then serves until its stdin closes. A second argument `list` leaves
// StreamContainers out (UNIMPLEMENTED), as containerd 1.x has it.
import { fakeContainers, serveContainers, startFakeCri } from './fake-cri.js';

const n = Number(process.argv[2] ?? '1000');
const fake = await startFakeCri();
serveContainers(fake, fakeContainers(n), { stream: process.argv[3] !== 'list' });
process.stdout.write(`${fake.endpoint}\n`);
process.stdin.resume();
process.stdin.on('end', () => void fake.close().then(() => process.exit(0)));
