// Fails if any file under the given directory (logs, test output, the E2E home with the
// app's data and log dirs) contains one of the canary secrets the tests use.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const CANARIES = [
  "CANARY-passphrase-a1b2c3d4e5",
  "CANARY-passphrase-f6e7d8c9b0",
  "CANARY-e2e-passphrase-93b1",
  "CANARY-oauth-code-5f1e",
  // App secrets and tokens used by the connection tests (oidc-provider, .env import, emulator).
  "CANARY-oidc-client-secret-7c2a",
  "CANARY-meta-secret-env-91",
  "CANARY-devtoken-env-22",
  "CANARY-x-secret-env-33",
  "CANARY-app-secret-",
  "CANARY-token-",
];
const root = process.argv[2];
if (!root) throw new Error("usage: scan-canaries.mjs DIR");

let files = 0;
const hits = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) walk(p);
    else if (st.isFile() && st.size < 256 * 1024 * 1024) {
      files++;
      const text = readFileSync(p).toString("latin1");
      for (const c of CANARIES) if (text.includes(c)) hits.push(`${p}: ${c.slice(0, 12)}…`);
    }
  }
}
walk(root);
if (files === 0) {
  console.error(`scan-canaries: no files under ${root}`);
  process.exit(1);
}
if (hits.length) {
  console.error(`scan-canaries: secrets found in ${hits.length} place(s):\n${hits.join("\n")}`);
  process.exit(1);
}
console.log(`scan-canaries: ${files} files scanned, no canary found`);
