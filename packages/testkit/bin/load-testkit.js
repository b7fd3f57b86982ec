// @ts-check
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/**
 * The built package when dist exists; otherwise the TypeScript sources through tsx, so the CLI and the
 * benchmark work in a fresh checkout without a build step.
 * @returns {typeof import('../src/index')}
 */
function loadTestkit() {
  const dist = path.join(__dirname, '..', 'dist', 'index.js');
  if (fs.existsSync(dist)) return require(dist);
  const tsx = require('tsx/cjs/api');
  return tsx.require(path.join(__dirname, '..', 'src', 'index.ts'), path.join(__dirname, 'load-testkit.js'));
}

module.exports = { loadTestkit };
