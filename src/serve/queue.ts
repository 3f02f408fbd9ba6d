// Batches concurrent prediction requests: requests that arrive while a batch runs wait and go together
// into the next one (up to `maxBatch`), so N simultaneous uploads cost about N/maxBatch model calls.
// A full queue refuses new work instead of growing without bound.
export class BatchQueue<In, Out> {
  private pending: { input: In; resolve: (o: Out) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly run: (inputs: In[]) => Promise<Out[]>,
    private readonly options: { maxBatch: number; maxPending: number },
  ) {}

  get size(): number {
    return this.pending.length;
  }

  /** Resolves with this input's result; rejects with QueueFullError when `maxPending` are waiting. */
  push(input: In): Promise<Out> {
    if (this.pending.length >= this.options.maxPending) return Promise.reject(new QueueFullError(this.options.maxPending));
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.pending.length) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      try {
        const outputs = await this.run(batch.map((b) => b.input));
        batch.forEach((b, i) => b.resolve(outputs[i] as Out));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.running = false;
  }
}

export class QueueFullError extends Error {
  constructor(limit: number) {
    super(`server busy: ${limit} requests are already waiting`);
    this.name = 'QueueFullError';
  }
}
