// Run by augmenter.test.ts in a separate Node process: prints the parameter records and a hash of
// the augmented batch for a seed, so the test can compare them with its own process's.
// usage: node --import tsx test/augment/stream-child.ts <seed>
import { augmentFixture } from './stream-fixture';

const seed = Number(process.argv[2]);
process.stdout.write(`${JSON.stringify(augmentFixture(seed))}\n`);
