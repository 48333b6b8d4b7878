// `npm run contracts:snapshot`: records the JSON Schema of every new or compatibly changed
// contract version in libs/contracts/schemas/ (what the compatibility test compares against).
// A breaking change is refused: add v(N+1) instead. `-- --accept-breaking` records it anyway,
// only for a version that was never deployed.
import { checkSnapshots, describeReport, writeSnapshots } from '../src/testing/index.js';

const acceptBreaking = process.argv.includes('--accept-breaking');
const before = checkSnapshots();
const written = writeSnapshots({ acceptBreaking });
for (const name of written) console.log(`recorded ${name}`);
const after = checkSnapshots();
const problems = describeReport(after);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
if (written.length === 0 && before.orphaned.length === 0) console.log('every contract version is recorded and unchanged');
