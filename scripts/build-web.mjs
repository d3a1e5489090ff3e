// Builds the web UI (web/, React + Vite) into dist/web, where `phyllo serve` serves it:
//   1. type-checks web/ (its own tsconfig: DOM, JSX),
//   2. builds with Vite (hashed files under dist/web/assets),
//   3. writes a gzip and a Brotli twin of every text file (the server sends them as they are: no
//      compression work per request),
//   4. writes dist/web/build.json: the initial JavaScript (index.html's module script and the chunks it
//      preloads) in bytes and gzip bytes, the number the README's budget is checked against.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'vite';

const OUT = 'dist/web';

const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'web/tsconfig.json'], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

await build({ configFile: 'web/vite.config.ts', logLevel: 'warn' });

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

for (const f of files(OUT)) {
  if (!/\.(js|css|html|svg|json|map|txt)$/.test(f)) continue;
  const data = readFileSync(f);
  if (data.length < 512) continue;
  writeFileSync(`${f}.gz`, gzipSync(data, { level: 9 }));
  writeFileSync(`${f}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
}

const html = readFileSync(join(OUT, 'index.html'), 'utf8');
const initial = [
  ...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g),
].map((m) => m[1]);
let raw = 0;
let gz = 0;
for (const f of new Set(initial)) {
  const data = readFileSync(join(OUT, f));
  raw += data.length;
  gz += gzipSync(data, { level: 9 }).length;
}
writeFileSync(
  join(OUT, 'build.json'),
  `${JSON.stringify({ initialJs: { files: [...new Set(initial)], bytes: raw, gzipBytes: gz } }, null, 2)}\n`,
);
