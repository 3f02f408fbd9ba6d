#!/usr/bin/env node
// Entry point of the `cxrlab` command: runs the built CLI (dist/, made by `npm run build` or the setup).
const { main } = require('../dist/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
