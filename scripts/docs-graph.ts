// npm run docs-graph: write docs/graph.md, the dev stack's dependency graph as `plan --graph` prints it.
// test/plan.test.ts fails when the committed copy is stale.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { planStack, renderMermaid } from "./plan.ts";

const target = path.join(__dirname, "..", "docs", "graph.md");
const graph = renderMermaid(planStack("dev"));
writeFileSync(
    target,
    [
        "# The dev stack's dependency graph",
        "",
        "Generated: `npm run docs-graph` writes this file from `npm run plan -- dev --graph` (which also prints",
        "a DOT version), and a test fails when it is stale. Boxes are components; an arrow points from a",
        "resource to one that waits for it. What each component creates: [architecture.md](architecture.md).",
        "",
        "<!-- dev-graph:start -->",
        "```mermaid",
        `${graph}\`\`\``,
        "<!-- dev-graph:end -->",
        "",
    ].join("\n"),
);
console.log("docs/graph.md: dev graph written");
