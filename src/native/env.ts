// TensorFlow settings that must be in the environment before libtensorflow loads. Imported first by
// native/tf.ts; a user's own value always wins. oneDNN is off by default in TF 2.21 on AVX2-only CPUs,
// and turning it on makes training about 1.7x faster here (bench/train-throughput measures it).
export const TF_ENV_DEFAULTS: Readonly<Record<string, string>> = {
  TF_ENABLE_ONEDNN_OPTS: '1',
  TF_CPP_MIN_LOG_LEVEL: '2',
};

for (const [key, value] of Object.entries(TF_ENV_DEFAULTS)) {
  process.env[key] ??= value;
}
