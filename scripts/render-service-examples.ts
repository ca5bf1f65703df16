// Writes the example service files in service/ from the renderers (src/service/).
// Run after changing a renderer: node scripts/render-service-examples.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exampleServiceFiles } from '../src/service/exampleFiles.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const [file, content] of Object.entries(exampleServiceFiles())) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
  console.log(`wrote ${file}`);
}
