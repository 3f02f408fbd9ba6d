// Step "native": tfjs-node on the native TensorFlow backend. Its own install script downloads
// libtensorflow 2.9.1 from a host many machines cannot reach, so package.json denies it, and this
// step builds the binding against the TensorFlow 2.21 C library of the venv's hash-pinned wheel
// (tensorflow-cpu, or tensorflow[and-cuda] on GPU machines): one TensorFlow on disk for Python and Node.
// CXRLAB_TF_SOURCE=download runs tfjs-node's own installer instead (needs its download host).
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, VENV_PYTHON, SetupError, hash, log, readStamp, run, writeStamp } from './util.mjs';

const STEP = 'native';
const PACKAGES = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
// tfjs-node's install.js deletes deps/ unless this exact file exists; keep it so a stray run cannot wipe our staging.
const INSTALLER_GUARD = 'libtensorflow.so.2.9.1';

/** Every copy of tfjs-node(-gpu) in the tree (normally one: danfojs-node's is deduped by `overrides`). */
function tfjsCopies(dir = join(ROOT, 'node_modules'), depth = 0) {
  const found = [];
  for (const name of PACKAGES) {
    const pkg = join(dir, name);
    if (existsSync(join(pkg, 'package.json'))) found.push(pkg);
  }
  if (depth > 3 || !existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.bin' || entry.name === '.cache') continue;
    const scopeOrPkg = join(dir, entry.name);
    const dirs = entry.name.startsWith('@') ? readdirSync(scopeOrPkg).map((n) => join(scopeOrPkg, n)) : [scopeOrPkg];
    for (const d of dirs) {
      const nested = join(d, 'node_modules');
      if (existsSync(nested)) found.push(...tfjsCopies(nested, depth + 1));
    }
  }
  return [...new Set(found)];
}

function sitePackages() {
  if (!existsSync(VENV_PYTHON)) {
    throw new SetupError(STEP, `no Python environment at ${VENV_PYTHON}`, 'run `npm run setup` so the python step creates it');
  }
  return run(STEP, VENV_PYTHON, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { capture: true }).trim();
}

/** The TensorFlow C library inside the venv's wheel: shared objects and the headers the binding compiles against. */
function wheelLibrary() {
  const site = sitePackages();
  const tfDir = join(site, 'tensorflow');
  const cc = join(tfDir, 'libtensorflow_cc.so.2');
  const framework = join(tfDir, 'libtensorflow_framework.so.2');
  for (const f of [cc, framework, join(tfDir, 'include', 'tensorflow', 'c', 'c_api.h')]) {
    if (!existsSync(f)) {
      throw new SetupError(STEP, `the TensorFlow wheel in the venv lacks ${f}`, 'delete .venv and rerun `npm run setup`');
    }
  }
  const nvidia = join(site, 'nvidia');
  return { cc, framework, include: join(tfDir, 'include'), nvidia: existsSync(nvidia) ? nvidia : null };
}

function link(target, path) {
  rmSync(path, { recursive: true, force: true });
  symlinkSync(target, path);
}

/**
 * deps/lib holds the link-time names and the sonames the binding's RUNPATH ($ORIGIN/../../deps/lib) finds.
 * deps/nvidia makes the wheel's RUNPATH ($ORIGIN/../nvidia/...) resolve from deps/lib, where glibc
 * expands $ORIGIN for a library loaded through a symlink, so the CUDA wheels are found on GPU machines.
 */
function stageDeps(pkg, lib) {
  const deps = join(pkg, 'deps');
  rmSync(deps, { recursive: true, force: true });
  mkdirSync(join(deps, 'lib'), { recursive: true });
  link(lib.cc, join(deps, 'lib', 'libtensorflow_cc.so.2'));
  link(lib.cc, join(deps, 'lib', 'libtensorflow.so'));
  link(lib.cc, join(deps, 'lib', INSTALLER_GUARD));
  link(lib.framework, join(deps, 'lib', 'libtensorflow_framework.so.2'));
  link(lib.framework, join(deps, 'lib', 'libtensorflow_framework.so'));
  link(lib.include, join(deps, 'include'));
  if (lib.nvidia) link(lib.nvidia, join(deps, 'nvidia'));
}

/** The Node install prefix that holds include/node/node_api.h, so node-gyp never downloads headers. */
function nodeDir() {
  const candidates = [process.env.npm_config_nodedir, dirname(dirname(process.execPath))];
  return candidates.find((d) => d && existsSync(join(d, 'include', 'node', 'node_api.h'))) ?? null;
}

function buildBinding(pkg) {
  const preGyp = join(ROOT, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
  const dir = nodeDir();
  const args = [preGyp, 'install', '--build-from-source', ...(dir ? [`--nodedir=${dir}`] : [])];
  run(STEP, process.execPath, args, {
    cwd: pkg,
    capture: true,
    remedy: 'install a C++ toolchain (Debian: apt-get install build-essential python3), then `npm run build:tfjs`',
  });
}

function bindingPath(pkg) {
  const lib = join(pkg, 'lib');
  if (!existsSync(lib)) return null;
  const napi = readdirSync(lib).find((d) => d.startsWith('napi-v') && existsSync(join(lib, d, 'tfjs_binding.node')));
  return napi ? join(lib, napi, 'tfjs_binding.node') : null;
}

function stampFor(pkg, lib) {
  const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version;
  const cc = statSync(lib.cc);
  return hash(pkg, version, lib.cc, cc.size, cc.mtimeMs, process.execPath, process.versions.napi, Boolean(lib.nvidia));
}

function depsIntact(pkg) {
  const so = join(pkg, 'deps', 'lib', 'libtensorflow_cc.so.2');
  return existsSync(so) && lstatSync(so).isSymbolicLink(); // existsSync follows the link: a deleted venv shows here
}

function runOwnInstaller(pkg) {
  const args = pkg.endsWith('-gpu') ? ['gpu', 'download'] : [];
  run(STEP, process.execPath, [join(pkg, 'scripts', 'install.js'), ...args], {
    cwd: pkg,
    remedy: 'the download host is unreachable: unset CXRLAB_TF_SOURCE to build against the venv wheel',
  });
}

/** Prints (and returns) the backend and TensorFlow version a fresh process gets. */
export function verifyBackend() {
  const probe = [
    "process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';",
    "const tf = require('@tensorflow/tfjs-node');",
    "const s = tf.tensor([1, 2, 3]).square().sum().dataSync()[0];",
    "if (s !== 14) throw new Error('native op returned ' + s);",
    "console.log(JSON.stringify({ backend: tf.getBackend(), tensorflow: tf.backend().binding.TF_Version, tfjs: tf.version['tfjs-node'] }));",
  ].join('\n');
  const out = run(STEP, process.execPath, ['-e', probe], {
    cwd: ROOT,
    capture: true,
    remedy: 'run `npm run build:tfjs` to rebuild the binding; if it persists, delete .venv and rerun `npm run setup`',
  });
  const info = JSON.parse(out.trim().split('\n').pop());
  if (info.backend !== 'tensorflow') {
    throw new SetupError(STEP, `tfjs-node loaded the '${info.backend}' backend instead of 'tensorflow'`, 'run `npm run build:tfjs`');
  }
  log(`native: backend=${info.backend} TensorFlow ${info.tensorflow} (tfjs-node ${info.tfjs})`);
  return info;
}

export function ensureNativeTf({ force }) {
  const copies = tfjsCopies();
  if (copies.length === 0) throw new SetupError(STEP, '@tensorflow/tfjs-node is not installed', 'run `npm ci`');
  if ((process.env.CXRLAB_TF_SOURCE ?? 'wheel') === 'download') {
    for (const pkg of copies) runOwnInstaller(pkg);
    return;
  }
  const lib = wheelLibrary();
  for (const pkg of copies) {
    const stamp = stampFor(pkg, lib);
    if (!force && readStamp(`native-${hash(pkg)}`) === stamp && bindingPath(pkg) && depsIntact(pkg)) {
      log(`native: ${pkg.slice(ROOT.length + 1)} is up to date`);
      continue;
    }
    log(`native: building ${pkg.slice(ROOT.length + 1)} against ${lib.cc} (about 20 s)`);
    stageDeps(pkg, lib);
    buildBinding(pkg);
    writeStamp(`native-${hash(pkg)}`, stamp);
  }
}
