import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * Which top-level folders of src/ each folder may import. Imports run down the layers only:
 * xml and libvirt know nothing of Phyllome's other parts; host and catalog sit on xml; the model on
 * host, catalog and xml; jobs (progress, cancellation, undo) on nothing; the services on all of those, libvirt and jobs; bundles (export, import) and devices (NICs, shares, passthrough) on the services; the API server (HTTP, WebSocket) on the services; the CLI on everything. Files
 * directly in src/ (errors.ts, build-id.ts) are shared by all and import no folder. A new folder
 * must be given its place here.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  xml: [],
  libvirt: [],
  host: ['xml'],
  catalog: ['xml'],
  model: ['xml', 'host', 'catalog'],
  jobs: [],
  machines: ['xml', 'host', 'catalog', 'model', 'libvirt', 'jobs'],
  devices: ['xml', 'host', 'catalog', 'model', 'libvirt', 'machines', 'jobs'],
  bundle: ['xml', 'host', 'catalog', 'model', 'libvirt', 'machines', 'jobs'],
  server: ['xml', 'host', 'catalog', 'model', 'libvirt', 'machines', 'jobs', 'bundle', 'devices'],
  cli: ['xml', 'host', 'catalog', 'model', 'libvirt', 'machines', 'jobs', 'server', 'bundle', 'devices'],
};

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** The relative module specifiers a TypeScript file imports (static, dynamic and re-exports). */
export function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
}

/** The folder of src/ a path lies in ('' for a file directly in src/), or undefined outside src/. */
function layerOf(path: string): string | undefined {
  const rel = relative(SRC, path);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split('/');
  return parts.length === 1 ? '' : parts[0];
}

/** The imports of `file` (a path under src/, with its text) that run against the layer table. */
export function violations(file: string, source: string): string[] {
  const from = layerOf(file);
  if (from === undefined) return [];
  const out: string[] = [];
  if (from !== '' && !(from in MAY_IMPORT))
    out.push(`${relative(SRC, file)}: folder ${from} has no place in MAY_IMPORT`);
  for (const spec of importsOf(source)) {
    const to = layerOf(resolve(dirname(file), spec));
    if (to === undefined || to === '' || to === from) continue;
    if (from === '' || !(MAY_IMPORT[from] ?? []).includes(to))
      out.push(`${relative(SRC, file)} imports ${spec} (${from || 'src/'} may not import ${to})`);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('layers', () => {
  it('no file in src/ imports a layer above its own', () => {
    // This file is left out: its examples of bad imports are strings, not imports.
    const files = sourceFiles(SRC).filter((f) => f !== join(SRC, 'layers.test.ts'));
    assert.ok(files.length > 100, `found only ${files.length} files under ${SRC}`);
    assert.deepEqual(
      files.flatMap((f) => violations(f, readFileSync(f, 'utf8'))),
      [],
    );
  });

  it('finds an import running up the layers, static, dynamic or re-exported', () => {
    const file = join(SRC, 'catalog', 'guest-os.ts');
    assert.deepEqual(violations(file, "import { UnknownOsError } from '../model/errors.js';").length, 1);
    assert.deepEqual(violations(file, "const m = await import('../cli/main.js');").length, 1);
    assert.deepEqual(violations(file, "export { x } from '../machines/create-vm.js';").length, 1);
    assert.deepEqual(
      violations(join(SRC, 'xml', 'parse.ts'), "import type { X } from '../host/fact.js';").length,
      1,
    );
    assert.deepEqual(violations(join(SRC, 'errors.ts'), "import { x } from './model/spec.js';").length, 1);
    assert.deepEqual(violations(join(SRC, 'nowhere', 'app.ts'), '').length, 1);
  });

  it('lets a layer import itself, the layers below it and the shared files in src/', () => {
    const file = join(SRC, 'model', 'decisions', 'cpu.ts');
    const ok = [
      "import { a } from '../spec.js';",
      "import { b } from '../../catalog/profile.js';",
      "import { c } from '../../xml/node.js';",
      "import { PhyllomeError } from '../../errors.js';",
      "import { d } from 'node:fs';",
    ].join('\n');
    assert.deepEqual(violations(file, ok), []);
  });
});
