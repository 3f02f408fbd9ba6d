// One cxrlab input pipeline over a class-folder dataset for bench/input-pipeline/run.ts: the dataset
// index, streamed batches (sharp decoding, prefetch), and native Keras-style augmentation per batch.
// usage: cxrlab-worker.ts <cold|cached> <data dir> <size> <batch> <epochs> [cache dir]
// cold decodes every image every epoch; cached goes through the decoded-image cache (epoch 1 fills it).
// Prints one JSON line: {"variant", "images", "epochs": [img/s per epoch], "rssMiB"}.
import { buildIndex, cachedLoader, dataSchema, type DecodeOptions, isUsable, makeAugmenter, streamBatches } from '../../src';
import { AUGMENT } from './options';

async function main(): Promise<void> {
  const [variant, dir, size, batch, epochs, cacheDir] = process.argv.slice(2);
  if ((variant !== 'cold' && variant !== 'cached') || !dir || (variant === 'cached' && !cacheDir)) {
    throw new Error('usage: cxrlab-worker.ts <cold|cached> <data dir> <size> <batch> <epochs> [cache dir]');
  }
  const index = await buildIndex({ ...dataSchema.parse({ dir }), strict: false });
  const images = index.entries.filter(isUsable);
  const decode: DecodeOptions = { size: Number(size), channels: 3 };
  const load = variant === 'cached' ? cachedLoader({ dir: cacheDir as string }) : undefined;
  const source = streamBatches(images, { decode, seed: 1, ...(load ? { load } : {}) });
  const augmenter = makeAugmenter(AUGMENT, 1);
  const rates: number[] = [];
  for (let epoch = 0; epoch < Number(epochs); epoch++) {
    const t0 = performance.now();
    let n = 0;
    let b = 0;
    for await (const { xs } of source.batches(epoch, Number(batch))) {
      const { images: out } = augmenter.augment(xs, { epoch, batch: b++ });
      n += out.shape[0];
      out.dispose();
    }
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  console.log(JSON.stringify({ variant, images: images.length, epochs: rates, rssMiB: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
