// @ts-check
/** @type {import('jest').Config} */
module.exports = require('../jest.preset.js').preset(__dirname);
