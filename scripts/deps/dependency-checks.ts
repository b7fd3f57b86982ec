import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/**
 * What each workspace imports against what its package.json declares. Runtime code (a workspace's `src/`
 * and `bin/`) may use only `dependencies` and `peerDependencies`; tests, benches, scripts and config files
 * may also use `devDependencies`. Every check returns its problems as sentences (empty when the tree keeps
 * the rule), so a test can assert both this repository and a broken copy of it.
 */

type DependencyMap = Record<string, string>;

export interface Manifest {
  name: string;
  workspaces?: string[];
  scripts?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  dependencies?: DependencyMap;
  devDependencies?: DependencyMap;
  peerDependencies?: DependencyMap;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface ImportRef {
  specifier: string;
  /** Erased from the emitted JavaScript: needs the package's types at build time only. */
  typeOnly: boolean;
}

interface Workspace {
  /** Relative to the repository root; '' for the root package. */
  dir: string;
  manifest: Manifest;
}

interface SourceFile {
  /** Relative to the repository root. */
  file: string;
  workspace: Workspace;
  /** Part of what the workspace ships and runs; everything else is development-only. */
  runtime: boolean;
  imports: ImportRef[];
}

export interface Repo {
  root: string;
  workspaces: Workspace[];
  files: SourceFile[];
}

const CODE = '**/*.{ts,mts,cts,js,mjs,cjs}';
const SKIPPED_DIRS = /(^|\/)(node_modules|dist|coverage|\.jest-cache|\.git)$/;
/** Runtime code of a workspace package; its tests, benches and configs are development-only. */
const RUNTIME_DIRS = ['src/', 'bin/'];
/** Commands npm scripts may run without any package providing them. */
const SYSTEM_COMMANDS = new Set(['node', 'npm', 'npx', 'exec', 'cd', 'echo', 'rm', 'mkdir', 'test']);
/** Config files name packages as strings (a jest transform) or in docblocks (`@jest-config-loader x`). */
const CONFIG_FILE = /(^|\/)(jest\.preset\.ts|[^/]*\.config\.(ts|mjs|cjs|js))$/;

/** The package an import specifier loads, or undefined for relative paths and Node built-ins. */
export function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const stringValue = (node: ts.Node | undefined): string | undefined => {
  if (!node) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  // import(`kubernetes-models/${apiVersion}/${kind}`): the package is in the literal head.
  if (ts.isTemplateExpression(node) && /^(@[^/]+\/)?[^/]+\//.test(node.head.text)) return node.head.text;
  return undefined;
};

const isRequire = (expr: ts.Expression): boolean =>
  (ts.isIdentifier(expr) && expr.text === 'require') ||
  (ts.isPropertyAccessExpression(expr) &&
    ts.isIdentifier(expr.expression) &&
    expr.expression.text === 'require' &&
    expr.name.text === 'resolve');

/** Every module a file loads: static and dynamic imports, re-exports, require() and require.resolve(). */
export function importsOf(fileName: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: ImportRef[] = [];
  const add = (node: ts.Node | undefined, typeOnly: boolean): void => {
    const specifier = stringValue(node);
    if (specifier !== undefined) found.push({ specifier, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const onlyTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (!clause.name &&
            bindings !== undefined &&
            ts.isNamedImports(bindings) &&
            bindings.elements.length > 0 &&
            bindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, onlyTypes);
    } else if (ts.isExportDeclaration(node)) {
      const clause = node.exportClause;
      const onlyTypes =
        node.isTypeOnly ||
        (clause !== undefined &&
          ts.isNamedExports(clause) &&
          clause.elements.length > 0 &&
          clause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, onlyTypes);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    } else if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword || isRequire(node.expression)) {
        add(node.arguments[0], false);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

/** The repository as the checks see it: each workspace, and each code file with what it imports. */
export function loadRepo(root: string): Repo {
  const rootManifest = readJson<Manifest>(path.join(root, 'package.json'));
  const workspaces: Workspace[] = [
    { dir: '', manifest: rootManifest },
    ...(rootManifest.workspaces ?? []).map((dir) => ({
      dir,
      manifest: readJson<Manifest>(path.join(root, dir, 'package.json')),
    })),
  ];
  const owner = (file: string): Workspace =>
    workspaces
      .filter((w) => w.dir === '' || file.startsWith(`${w.dir}/`))
      .reduce((best, w) => (w.dir.length > best.dir.length ? w : best));
  const files = fs
    .globSync(CODE, { cwd: root, exclude: (p) => SKIPPED_DIRS.test(p) })
    .sort()
    .map((file): SourceFile => {
      const workspace = owner(file);
      const inWorkspace = workspace.dir === '' ? file : file.slice(workspace.dir.length + 1);
      return {
        file,
        workspace,
        runtime: workspace.dir !== '' && RUNTIME_DIRS.some((dir) => inWorkspace.startsWith(dir)),
        imports: importsOf(file, fs.readFileSync(path.join(root, file), 'utf8')),
      };
    });
  return { root, workspaces, files };
}

const declared = (m: Manifest, kind: 'dependencies' | 'devDependencies' | 'peerDependencies'): string[] =>
  Object.keys(m[kind] ?? {});
const optionalPeers = (m: Manifest): string[] =>
  declared(m, 'peerDependencies').filter((name) => m.peerDependenciesMeta?.[name]?.optional === true);
const isTypesPackage = (name: string): boolean => name.startsWith('@types/');
/** `@types/node__fs` types `node:fs`, `@types/babel__core` types `@babel/core`. */
const typedPackage = (types: string): string => {
  const name = types.slice('@types/'.length);
  return name.includes('__') ? `@${name.replace('__', '/')}` : name;
};

/** The source file a workspace package's subpath import resolves to (the `@social/source` condition). */
function subpathSource(workspace: Workspace, specifier: string): string | undefined {
  const subpath = `.${specifier.slice(workspace.manifest.name.length)}`;
  for (const [pattern, target] of Object.entries(workspace.manifest.exports ?? {})) {
    const source = typeof target === 'string' ? target : target['@social/source'];
    if (!source) continue;
    const star = pattern.indexOf('*');
    if (star === -1 ? pattern !== subpath : !subpath.startsWith(pattern.slice(0, star))) continue;
    const resolved = star === -1 ? source : source.replace('*', subpath.slice(star));
    return path.posix.join(workspace.dir, resolved);
  }
  return undefined;
}

function resolveRelative(
  filesByName: Map<string, SourceFile>,
  from: string,
  specifier: string,
): string | undefined {
  const base = path.posix.join(path.posix.dirname(from), specifier);
  return [base, `${base}.ts`, `${base}/index.ts`, `${base}.js`].find((candidate) =>
    filesByName.has(candidate),
  );
}

const peerCache = new WeakMap<Repo, Map<string, LoadedPeers | undefined>>();

interface LoadedPeers {
  provider: string;
  peers: string[];
}

/**
 * The optional peers a runtime import of a workspace package's entry point loads, following its relative
 * value imports: `@social/common/mongo` needs mongoose, `@social/common/events` amqplib.
 */
function peersLoadedBy(repo: Repo, specifier: string): LoadedPeers | undefined {
  const cache = peerCache.get(repo) ?? peerCache.set(repo, new Map()).get(repo)!;
  if (!cache.has(specifier)) cache.set(specifier, findPeersLoadedBy(repo, specifier));
  return cache.get(specifier);
}

function findPeersLoadedBy(repo: Repo, specifier: string): LoadedPeers | undefined {
  const provider = repo.workspaces.find(
    (w) => w.dir !== '' && (specifier === w.manifest.name || specifier.startsWith(`${w.manifest.name}/`)),
  );
  const peers = provider ? optionalPeers(provider.manifest) : [];
  const entry = provider && subpathSource(provider, specifier);
  if (!provider || !entry || peers.length === 0) return undefined;
  const filesByName = new Map(repo.files.map((f) => [f.file, f]));
  const seen = new Set<string>();
  const loaded = new Set<string>();
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const ref of filesByName.get(file)?.imports ?? []) {
      if (ref.typeOnly) continue;
      const pkg = packageName(ref.specifier);
      if (pkg) loaded.add(pkg);
      else if (ref.specifier.startsWith('.')) {
        const next = resolveRelative(filesByName, file, ref.specifier);
        if (next) walk(next);
      }
    }
  };
  walk(entry);
  return { provider: provider.manifest.name, peers: peers.filter((peer) => loaded.has(peer)) };
}

interface Usage {
  /** Loaded at run time by the workspace's runtime code (directly or as a peer of a kit entry point). */
  runtime: Set<string>;
  /** Used anywhere in the workspace: tests, scripts, configs, type-only imports, runtime code. */
  any: Set<string>;
}

function usageByWorkspace(repo: Repo): Map<Workspace, Usage> {
  const usage = new Map(
    repo.workspaces.map((w) => [w, { runtime: new Set<string>(), any: new Set<string>() }]),
  );
  for (const f of repo.files) {
    const u = usage.get(f.workspace)!;
    for (const ref of f.imports) {
      const pkg = packageName(ref.specifier);
      if (!pkg || pkg === f.workspace.manifest.name) continue;
      const peers = ref.typeOnly ? [] : (peersLoadedBy(repo, ref.specifier)?.peers ?? []);
      for (const name of [pkg, ...peers]) {
        u.any.add(name);
        if (f.runtime && !ref.typeOnly) u.runtime.add(name);
      }
    }
  }
  return usage;
}

/** Imports a workspace does not declare, and runtime imports declared only for development. */
export function unlistedImports(repo: Repo): string[] {
  const problems: string[] = [];
  for (const f of repo.files) {
    const m = f.workspace.manifest;
    const where = f.workspace.dir || 'the root package.json';
    for (const ref of f.imports) {
      const pkg = packageName(ref.specifier);
      if (!pkg || pkg === m.name) continue;
      const forRuntime = f.runtime && !ref.typeOnly;
      const allowed = forRuntime
        ? [...declared(m, 'dependencies'), ...declared(m, 'peerDependencies')]
        : [
            ...declared(m, 'dependencies'),
            ...declared(m, 'peerDependencies'),
            ...declared(m, 'devDependencies'),
          ];
      if (!allowed.includes(pkg)) {
        problems.push(
          `${f.file} imports ${pkg}: declare it in ${where} ${forRuntime ? 'dependencies' : 'devDependencies'}`,
        );
      }
      if (!forRuntime) continue;
      const loaded = peersLoadedBy(repo, ref.specifier);
      for (const peer of loaded?.peers ?? []) {
        if (!declared(m, 'dependencies').includes(peer) && !declared(m, 'peerDependencies').includes(peer)) {
          problems.push(
            `${f.file} imports ${ref.specifier}, which loads ${peer} (an optional peer of ${loaded?.provider}): ` +
              `declare it in ${where} dependencies`,
          );
        }
      }
    }
  }
  return [...new Set(problems)];
}

/** The commands a script line runs: `a && b | c` -> [a, b, c], without env assignments and `exec`/`npx`. */
export function commandsOf(script: string): string[] {
  return script
    .split(/&&|\|\||[;|]/)
    .map((part) => part.trim().split(/\s+/))
    .map((words) => words.filter((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w)))
    .map((words) => (words[0] === 'exec' || words[0] === 'npx' ? words.slice(1) : words))
    .map((words) => words[0] ?? '')
    .filter((command) => command !== '');
}

/** The executables a package puts in node_modules/.bin. */
function binariesOf(root: string, pkg: string): string[] {
  const file = path.join(root, 'node_modules', pkg, 'package.json');
  if (!fs.existsSync(file)) return [];
  const { bin } = readJson<{ bin?: string | Record<string, string> }>(file);
  if (typeof bin === 'string') return [pkg.split('/').pop()!];
  return Object.keys(bin ?? {});
}

/** Packages another declared package requires as its peer (`@swc/core` for `@swc/jest`). */
function peersOf(root: string, pkg: string): string[] {
  const file = path.join(root, 'node_modules', pkg, 'package.json');
  return fs.existsSync(file) ? Object.keys(readJson<Manifest>(file).peerDependencies ?? {}) : [];
}

/** npm-script commands no declared package provides; the root's devDependencies serve every workspace. */
export function unlistedBinaries(repo: Repo): string[] {
  const root = repo.workspaces.find((w) => w.dir === '')!;
  const problems: string[] = [];
  for (const w of repo.workspaces) {
    const providers = [
      ...declared(w.manifest, 'dependencies'),
      ...declared(w.manifest, 'devDependencies'),
      ...declared(root.manifest, 'devDependencies'),
    ];
    const available = new Set(providers.flatMap((pkg) => binariesOf(repo.root, pkg)));
    for (const [name, script] of Object.entries(w.manifest.scripts ?? {})) {
      for (const command of commandsOf(script)) {
        if (!SYSTEM_COMMANDS.has(command) && !available.has(command)) {
          problems.push(
            `${w.dir || 'root'} script "${name}" runs ${command}, which no declared package provides`,
          );
        }
      }
    }
  }
  return problems;
}

/** Names config files reference as strings: jest transforms, `@jest-config-loader` docblocks. */
function configReferences(repo: Repo): Set<string> {
  const names = new Set<string>();
  for (const f of repo.files.filter((file) => CONFIG_FILE.test(file.file))) {
    const text = fs.readFileSync(path.join(repo.root, f.file), 'utf8');
    for (const match of text.matchAll(/@jest-config-loader\s+(\S+)|'((?:@[\w.-]+\/)?[\w.-]+)'/g)) {
      names.add(match[1] ?? match[2]!);
    }
  }
  return names;
}

/**
 * Declarations nothing uses: a dependency the runtime code never loads (unused, or only tests, types or tools
 * use it: a devDependency then), a devDependency no file, script or config uses, `@types/*` outside
 * devDependencies, and an optional peer the package's own tests cannot load.
 */
export function unusedDeclarations(repo: Repo): string[] {
  const usage = usageByWorkspace(repo);
  const root = repo.workspaces.find((w) => w.dir === '')!;
  const importedAnywhere = new Set(repo.workspaces.flatMap((w) => [...usage.get(w)!.any]));
  const scriptCommands = new Set(
    repo.workspaces.flatMap((w) => Object.values(w.manifest.scripts ?? {}).flatMap(commandsOf)),
  );
  const fromConfigs = configReferences(repo);
  const problems: string[] = [];
  for (const w of repo.workspaces) {
    const m = w.manifest;
    const where = w.dir || 'root';
    const u = usage.get(w)!;
    for (const kind of ['dependencies', 'peerDependencies'] as const) {
      for (const name of declared(m, kind)) {
        if (isTypesPackage(name))
          problems.push(`${where}: ${name} is types only: move it to devDependencies`);
        else if (!u.runtime.has(name)) {
          problems.push(
            u.any.has(name)
              ? `${where}: ${name} is used only by tests, tools or types: move it to devDependencies`
              : `${where}: ${name} is in ${kind} but nothing imports it`,
          );
        }
      }
    }
    const devDependencies = declared(m, 'devDependencies');
    const used = (name: string): boolean =>
      u.any.has(name) ||
      (isTypesPackage(name)
        ? importedAnywhere.has(typedPackage(name)) || ['node', 'jest'].includes(typedPackage(name))
        : w === root &&
          (binariesOf(repo.root, name).some((bin) => scriptCommands.has(bin)) || fromConfigs.has(name)));
    for (const name of devDependencies) {
      const isPeerOfUsed = devDependencies.some(
        (other) => used(other) && peersOf(repo.root, other).includes(name),
      );
      if (!used(name) && !isPeerOfUsed) problems.push(`${where}: devDependency ${name} is not used`);
    }
    for (const name of optionalPeers(m)) {
      if (!devDependencies.includes(name)) {
        problems.push(
          `${where}: optional peer ${name} must also be a devDependency, for the package's own tests`,
        );
      }
    }
  }
  return problems;
}
