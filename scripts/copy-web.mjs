// The pages under src/web are served as they are; the build puts a copy beside the compiled functions
// (dist/src/web), where the functions look for them under `npm start`, `func start` and in a deployment.
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../src/web', import.meta.url));
const to = fileURLToPath(new URL('../dist/src/web', import.meta.url));
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
