// A lean TypeScript loader for the offline plan's per-stack child processes (scripts/lib/plan-run.ts):
// `node --require ./scripts/lib/ts-require.cjs scripts/plan-stack.ts`. It compiles this project's .ts
// files with esbuild (the compiler tsx itself uses) as CommonJS and touches nothing else.
//
// Why not tsx there: tsx also hooks every .js file the Pulumi SDKs load (hundreds, each scanned for
// ES module syntax) and turns on source maps for all of them, which doubles a child's CPU time; a fleet
// plan starts one child per stack. What is lost is TypeScript line numbers in a child's crash trace.
// Written in JavaScript because it is what makes TypeScript loadable.
"use strict";
const { readFileSync } = require("node:fs");
const { transformSync } = require("esbuild");

require.extensions[".ts"] = function compileTypeScript(module, filename) {
    const { code } = transformSync(readFileSync(filename, "utf8"), { loader: "ts", format: "cjs", target: "node22", sourcefile: filename });
    module._compile(code, filename);
};
