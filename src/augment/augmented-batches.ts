// A batch source whose training batches go through an augmenter, one (epoch, batch) position each, so the
// parameters depend only on the seed and the position. Disposes the augmented batches it yields.
import type { BatchSource } from '../train/memory-batches';
import type { Augmenter } from './augmenter';

export function augmentedBatches(source: BatchSource, augmenter: Augmenter): BatchSource {
  if (augmenter.identity) return source;
  return {
    size: source.size,
    async *batches(epoch, batchSize) {
      let batch = 0;
      for await (const { xs, ys } of source.batches(epoch, batchSize)) {
        const { images } = augmenter.augment(xs, { epoch, batch: batch++ });
        try {
          yield { xs: images, ys };
        } finally {
          images.dispose();
        }
      }
    },
  };
}
