// One cxrlab input pipeline over a class-folder dataset for bench/input-pipeline/run.ts: the dataset
// index, streamed batches (sharp decoding, prefetch), and native Keras-style augmentation per batch —
// alone, or feeding the seed-004 CNN's training (Adam 1e-3, cxrlab's fast path).
// usage: cxrlab-worker.ts <cold|cached|cached-train> <data dir> <size> <batch> <epochs> [cache dir]
// cold decodes every image every epoch; cached goes through the decoded-image cache (epoch 1 fills it).
// Grey images travel as one plane and are replicated to 3 channels at the end, as `fit` does at the model's input.
// Prints one JSON line: {"variant", "images", "epochs": [img/s per epoch, wall time], "rssMiB" (peak), "epochRssMiB" (after each epoch)}.
import { augmentedBatches, buildIndex, buildModel, cachedLoader, dataSchema, expandPlanes, fit, isUsable, makeAugmenter, streamBatches } from '../../src';
import { AUGMENT } from './options';

async function main(): Promise<void> {
  const [variant, dir, size, batch, epochs, cacheDir] = process.argv.slice(2);
  const cached = variant === 'cached' || variant === 'cached-train';
  if (!['cold', 'cached', 'cached-train'].includes(variant ?? '') || !dir || (cached && !cacheDir)) {
    throw new Error('usage: cxrlab-worker.ts <cold|cached|cached-train> <data dir> <size> <batch> <epochs> [cache dir]');
  }
  const index = await buildIndex({ ...dataSchema.parse({ dir }), strict: false });
  const images = index.entries.filter(isUsable);
  const decode = { size: Number(size), channels: 3 as const };
  const source = augmentedBatches(
    streamBatches(images, { decode, seed: 1, grey: 'planes', ...(cached ? { load: cachedLoader({ dir: cacheDir as string }) } : {}) }),
    makeAugmenter(AUGMENT, 1),
  );
  const rates: number[] = [];
  const epochRss: number[] = [];
  if (variant === 'cached-train') {
    const model = buildModel('seed-004', { inputSize: decode.size, seed: 1 });
    let began = 0;
    const timer = {
      onEpochBegin: () => {
        began = performance.now();
      },
      onEpochEnd: () => {
        rates.push(images.length / ((performance.now() - began) / 1000));
        epochRss.push(process.memoryUsage.rss() / 2 ** 20);
      },
    };
    await fit(model, { train: source }, { epochs: Number(epochs), batchSize: Number(batch), optimizer: { name: 'adam', learningRate: 1e-3 }, callbacks: [timer] });
    model.dispose();
  } else {
    for (let epoch = 0; epoch < Number(epochs); epoch++) {
      const t0 = performance.now();
      let n = 0;
      for await (const { xs } of source.batches(epoch, Number(batch))) {
        const input = expandPlanes(xs, decode.channels);
        n += input.shape[0];
        if (input !== xs) input.dispose();
      }
      rates.push(n / ((performance.now() - t0) / 1000));
      epochRss.push(process.memoryUsage.rss() / 2 ** 20);
    }
  }
  console.log(JSON.stringify({ variant, images: images.length, epochs: rates, rssMiB: process.resourceUsage().maxRSS / 1024, epochRssMiB: epochRss }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
