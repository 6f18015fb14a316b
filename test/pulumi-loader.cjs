// Loads infra/index.ts the way `pulumi up` does: ts-node registered exactly as
// @pulumi/pulumi/cmd/run/run.js registers it for a CommonJS TypeScript project (with type-checking,
// unless PULUMI_NODEJS_TRANSPILE_ONLY=true), then runs the given stack under the mocks and prints
// the registered `type::name` pairs as JSON. Used by pulumi-loader.test.ts; tsx is not involved.
const path = require("node:path");
const root = path.join(__dirname, "..");
process.chdir(root);
const tsutils = require("@pulumi/pulumi/tsutils");
const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const transpileOnlyEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
require(tsnodeRequire).register({
    compiler: typescriptRequire,
    transpileOnly: transpileOnlyEnv ? transpileOnlyEnv === "true" : compilerOptions.noCheck,
    project: "tsconfig.json",
    skipProject: false,
    compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
});

const [stack, secretsJson] = process.argv.slice(2);
const support = require("./support.ts");
const secrets = JSON.parse(secretsJson);
const config = support.stackFileConfig(stack);
for (const [k, v] of Object.entries(secrets)) config[`${support.PROJECT}:${k}`] = v;
const rec = support.installMocks({ stack, config, secretKeys: Object.keys(secrets).map((k) => `${support.PROJECT}:${k}`) });
const outputs = require("../infra/index.ts");
(async () => {
    for (const v of Object.values(outputs)) await support.valueOf(v);
    await support.settle();
    process.stdout.write(JSON.stringify({ registrations: rec.registrations.map((r) => `${r.type}::${r.name}`).sort(), outputs: Object.keys(outputs).sort() }));
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
