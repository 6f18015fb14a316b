// npm run readme-graph: rewrite the dev stack's dependency graph in README.md from `plan --graph`.
// test/plan.test.ts fails when the README's copy is stale.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { planStack, renderMermaid } from "./plan.ts";

const readme = path.join(__dirname, "..", "README.md");
const text = readFileSync(readme, "utf8");
const block = /<!-- dev-graph:start -->\n[\s\S]*?<!-- dev-graph:end -->/;
if (!block.test(text)) throw new Error("README.md has no <!-- dev-graph:start --> ... <!-- dev-graph:end --> block");
const graph = renderMermaid(planStack("dev"));
writeFileSync(readme, text.replace(block, `<!-- dev-graph:start -->\n\`\`\`mermaid\n${graph}\`\`\`\n<!-- dev-graph:end -->`));
console.log("README.md: dev graph updated");
