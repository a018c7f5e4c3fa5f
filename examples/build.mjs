// Puts the examples into herald.jar: run by Maven (herald-server, generate-resources) as
// `node examples/build.mjs <out>`. The pages are copied as they are; their libraries become two ES modules
// under lib/, so the pages need no bundler and no CDN: @herald/client compiled from clients/js/src (the
// same esbuild compile tsup does for dist/, without the client's type-checking tool chain), and yjs with
// y-websocket in one module, so the document and the provider share one copy of yjs. Everything is written
// under <out>/io/herald/server/examples/page/, with files.txt listing it; nothing is written in the repository
// but node_modules (ignored), installed from the committed lockfile.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, '..', 'herald-server', 'target', 'examples'));
const page = join(out, 'io', 'herald', 'server', 'examples', 'page');
const PAGE_FILES = /\.(html|js|css)$/;

// npm ci only when node_modules is missing or older than the lockfile: most builds install nothing
const lock = join(here, 'package-lock.json');
const installed = join(here, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: here, stdio: 'inherit', shell: process.platform === 'win32' });
}
const esbuild = await import('esbuild');

rmSync(page, { recursive: true, force: true });
mkdirSync(join(page, 'lib'), { recursive: true });
const files = [];
for (const name of readdirSync(here).filter((n) => PAGE_FILES.test(n)).sort()) {
  copyFileSync(join(here, name), join(page, name));
  files.push(name);
}
const common = {
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true,
  // the libraries' licences stay with them
  legalComments: 'eof', logLevel: 'warning',
  // partysocket is @herald/client's dependency; clients/js has no node_modules of its own at jar build time
  nodePaths: [join(here, 'node_modules')],
};
await esbuild.build({ ...common, entryPoints: [join(here, '..', 'clients', 'js', 'src', 'index.ts')], outfile: join(page, 'lib', 'herald-client.js') });
await esbuild.build({
  ...common,
  stdin: { contents: "export * as Y from 'yjs';\nexport { WebsocketProvider } from 'y-websocket';\n", resolveDir: here, sourcefile: 'yjs-entry.js' },
  outfile: join(page, 'lib', 'yjs.js'),
});
files.push('lib/herald-client.js', 'lib/yjs.js');
writeFileSync(join(page, 'files.txt'), files.join('\n') + '\n');
console.log(`examples: ${files.length} files in ${page}`);
