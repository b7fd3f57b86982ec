import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

// Every package the services run with (`npm ls --omit=dev`), by install path.
const productionPackages = (): string[] => {
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' });
  return [
    ...new Set(ls.stdout.split('\n').filter((line) => line.includes(`${path.sep}node_modules${path.sep}`))),
  ];
};

/**
 * A native module whose prebuilt binary does not fit the running Node is compiled by npm when a compiler
 * happens to be there, and breaks `npm ci` where none is (node:24-alpine, a fresh laptop). These checks fail
 * on the first kind of machine already.
 */
describe('native modules in the production dependencies', () => {
  const native = productionPackages().filter((dir) => fs.existsSync(path.join(dir, 'binding.gyp')));

  test('when the tree is listed, then argon2 is the only native module the services ship', () => {
    expect(native.map((dir) => path.basename(dir))).toEqual(['argon2']);
  });

  test('when npm installed them, then nothing was compiled (a prebuilt binary fitted this Node)', () => {
    expect(native.filter((dir) => fs.existsSync(path.join(dir, 'build')))).toEqual([]);
  });

  test('when argon2 is loaded with no build output at all, then its prebuilt binary hashes', () => {
    // A copy without build/ leaves node-gyp-build only the prebuilds/ to choose from.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'argon2-prebuilt-'));
    try {
      const argon2Dir = path.join(root, 'node_modules', 'argon2');
      fs.cpSync(argon2Dir, path.join(copy, 'node_modules', 'argon2'), {
        recursive: true,
        filter: (src) => !src.startsWith(path.join(argon2Dir, 'build')),
      });
      fs.symlinkSync(
        path.join(root, 'node_modules'),
        path.join(copy, 'node_modules', 'argon2', 'node_modules'),
      );
      const out = execFileSync(
        process.execPath,
        ['-e', "require('argon2').hash('pw').then((h) => console.log(h.split('$')[1]))"],
        { cwd: copy, encoding: 'utf8' },
      );
      expect(out.trim()).toBe('argon2id');
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
