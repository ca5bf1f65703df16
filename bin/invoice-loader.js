#!/usr/bin/env node
// The CLI entry point. The sources are TypeScript run by Node's type stripping (Node >= 22.18),
// so an older Node must be told clearly what to do instead of failing on the first type annotation.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `invoice-loader needs Node.js >= 22.18 (tested on 24 LTS); this is ${process.version}.\n` +
      'Run `. scripts/use-node24.sh` in this folder to put Node 24 on PATH, then try again.\n',
  );
  process.exit(1);
}
// Every command parses its modules again; Node's compile cache (in the temp folder) keeps the
// compiled code between runs and takes about a third off a short command's start-up.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../src/cli/main.ts');
