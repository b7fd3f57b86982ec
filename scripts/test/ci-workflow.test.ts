import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  workspaces: string[];
};
const workflow = parse(fs.readFileSync(path.join(root, '.github/workflows/ci.yml'), 'utf8')) as {
  jobs: Record<string, { steps: Array<{ run?: string }>; strategy?: { matrix: { workspace: string[] } } }>;
};
const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((s) => (s.run ? [s.run] : [])));

describe('.github/workflows/ci.yml', () => {
  test('when it calls root npm scripts, then each one exists', () => {
    const called = runs.flatMap((run) => [...run.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1] as string));
    expect(called.length).toBeGreaterThan(0);
    expect(called.filter((name) => !pkg.scripts[name])).toEqual([]);
  });

  test('when it tests each workspace, then the matrix lists every workspace and each has a test script', () => {
    const matrix = workflow.jobs.workspace?.strategy?.matrix.workspace ?? [];
    expect([...matrix].sort()).toEqual([...pkg.workspaces].sort());
    for (const ws of matrix) {
      const wsPkg = JSON.parse(fs.readFileSync(path.join(root, ws, 'package.json'), 'utf8')) as {
        scripts?: Record<string, string>;
      };
      expect(wsPkg.scripts?.test).toBeDefined();
    }
  });

  test('when .ci/run runs, then it uses exactly the README’s commands', () => {
    const ci = fs.readFileSync(path.join(root, '.ci/run'), 'utf8');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test$/m);
    expect(readme).toContain('npm ci && npm test');
  });
});
