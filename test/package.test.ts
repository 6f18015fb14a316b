// The components as another Pulumi program gets them: packed with `npm pack` (which builds them), the
// tarball installed offline into a scratch program, and that program run under the mocks and type-checked
// against the package's declarations.
//
// Layout of the scratch directory: node_modules -> this repository's (the @pulumi peers, yaml and
// TypeScript, found by walking up), pkg/ (a copy of components/, packed there so the build output never
// lands in the working tree), app/ (the consumer, which installs the tarball).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { builtinModules } from "node:module";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "./support.ts";

const dir = mkdtempSync(path.join(tmpdir(), "components-package-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs a command to completion; fails the test with its output when it exits non-zero. */
function run(command: string, args: string[], cwd: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd, env: { ...process.env, npm_config_update_notifier: "false" } });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (out += d));
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${out}`))));
    });
}

/** The consumer: plain CommonJS, as `pulumi new typescript` compiles to, recording what it registers. */
const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const registrations = [];
pulumi.runtime.setMocks({
    newResource: (a) => {
        registrations.push({ type: a.type, name: a.name, inputs: a.inputs, provider: a.provider ?? "" });
        return { id: a.name + "-id", state: { ...a.inputs, loginServer: a.name + ".azurecr.io" } };
    },
    call: () => ({ subscriptionId: "sub", tenantId: "tenant", objectId: "me", clientId: "cli" }),
}, "consumer", "test", false);

const c = require("@gitops-platform/components");
const k8s = require("@pulumi/kubernetes");
const provider = new k8s.Provider("k8s", { kubeconfig: "apiVersion: v1\\nkind: Config\\n" });
const registry = new c.Registry("acr", {
    mode: "create", registryName: "consumeracr", resourceGroupName: "rg", location: "westeurope",
    attach: { kind: "kubelet", kubeletObjectId: "kubelet" },
});
const connector = new c.GitOpsConnector("gc", {
    target: { mode: "GITHUB", owner: "contoso", appRepo: "app", gitopsRepo: "gitops" }, pat: pulumi.secret("pat"),
}, { providers: { kubernetes: provider } });
let refused;
try {
    new c.Registry("bad", { mode: "existing", registryName: "arc-demo-acr", resourceGroupName: "rg", attach: { kind: "kubelet", kubeletObjectId: "x" } });
} catch (e) {
    refused = { isInputPropertiesError: pulumi.InputPropertiesError.isInstance(e), errors: e.errors };
}
pulumi.all([registry.loginServer, connector.release.urn, connector.patSecret.urn]).apply(() => setTimeout(() => {
    console.log(JSON.stringify({
        resolved: require.resolve("@gitops-platform/components"),
        exports: Object.keys(c).sort(),
        defaults: { registry: c.REGISTRY_DEFAULTS, connector: c.CONNECTOR_DEFAULTS },
        nameProblem: c.registryNameProblem("arc-demo-acr"),
        refused,
        registrations,
    }));
}, 50));
`;

/** The same consumer in TypeScript, checked against the package's declarations (its `types`). */
const TYPED = `
import * as k8s from "@pulumi/kubernetes";
import { GitOpsConnector, Registry, REGISTRY_DEFAULTS, type RegistryArgs } from "@gitops-platform/components";
const provider = new k8s.Provider("k8s", {});
const args: RegistryArgs = { mode: "create", registryName: "consumeracr", resourceGroupName: "rg", location: "westeurope", sku: REGISTRY_DEFAULTS.sku, attach: { kind: "kubelet", kubeletObjectId: "k" } };
export const registry = new Registry("acr", args);
export const connector = new GitOpsConnector("gc", { target: { mode: "AZDO", organization: "o", project: "p", gitopsRepo: "g" }, pat: "p" }, { provider });
// @ts-expect-error: an existing registry takes no location (the args are a discriminated union)
export const wrong: RegistryArgs = { mode: "existing", registryName: "x", resourceGroupName: "rg", location: "w", attach: { kind: "kubelet", kubeletObjectId: "k" } };
`;

test("npm pack builds the components; a scratch program installs the tarball offline, runs under the mocks and type-checks", { timeout: 120_000 }, async () => {
    symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    const pkg = path.join(dir, "pkg");
    const app = path.join(dir, "app");
    mkdirSync(pkg);
    mkdirSync(app);
    const sources = path.join(REPO_ROOT, "components");
    for (const f of readdirSync(sources).filter((f) => f.endsWith(".ts") || f === "package.json" || f === "tsconfig.build.json")) {
        copyFileSync(path.join(sources, f), path.join(pkg, f));
    }

    // prepack builds: a broken build fails here.
    await run(NPM, ["pack", "--pack-destination", dir, "--no-audit", "--no-fund"], pkg);
    const manifest = JSON.parse(readFileSync(path.join(pkg, "package.json"), "utf8"));
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    assert.equal(tarball, "gitops-platform-components-0.1.0.tgz");
    assert.equal(manifest.name, "@gitops-platform/components");
    assert.deepEqual(Object.keys(manifest.dependencies), ["yaml"]);
    assert.ok(Object.keys(manifest.peerDependencies).includes("@pulumi/pulumi"));

    // Offline: yaml comes from this repository's copy (a file: dependency satisfies the package's range),
    // the peers from the parent node_modules, so nothing is fetched.
    writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "scratch", private: true, dependencies: { yaml: "file:../node_modules/yaml" } }));
    await run(NPM, ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock", "--legacy-peer-deps", path.join(dir, tarball!)], app);
    const installed = path.join(app, "node_modules", "@gitops-platform", "components");
    const installedManifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
    assert.ok(existsSync(path.join(installed, installedManifest.main)), `main ${installedManifest.main} is in the package`);
    assert.ok(existsSync(path.join(installed, installedManifest.types)), `types ${installedManifest.types} is in the package`);
    assert.ok(!existsSync(path.join(installed, "registry.ts")), "the package ships JavaScript, not the sources");
    // Every package the built code requires is a dependency or a peer: the repository's node_modules,
    // which the scratch program also sees, would hide a missing one at run time.
    const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);
    const dist = path.join(installed, "dist");
    const required = new Set(
        readdirSync(dist)
            .filter((f) => f.endsWith(".js"))
            .flatMap((f) => [...readFileSync(path.join(dist, f), "utf8").matchAll(/require\("([^".][^"]*)"\)/g)].map((m) => m[1]))
            .map((id) => (id.startsWith("@") ? id.split("/").slice(0, 2).join("/") : id.split("/")[0]))
            .filter((id) => !id.startsWith("node:") && !builtinModules.includes(id)),
    );
    assert.ok(required.size >= 5, `found ${[...required].join(", ")}`);
    for (const id of required) assert.ok(declared.has(id), `dist requires ${id}, which package.json doesn't declare`);

    writeFileSync(path.join(app, "index.js"), PROGRAM);
    writeFileSync(path.join(app, "index.ts"), TYPED);
    writeFileSync(
        path.join(app, "tsconfig.json"),
        JSON.stringify({ compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, module: "nodenext", target: "ES2022", types: ["node"] }, files: ["index.ts"] }),
    );
    const tsc = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const [out] = await Promise.all([run(process.execPath, ["index.js"], app), run(process.execPath, [tsc, "-p", "."], app)]);

    const result = JSON.parse(out.trim().split("\n").pop()!);
    assert.equal(result.resolved, path.join(installed, "dist", "index.js"), "the program runs the installed package");
    // The package exports everything every component module exports: index.ts leaves none out.
    const modules = readdirSync(sources).filter((f) => f.endsWith(".ts") && f !== "index.ts");
    const expected = new Set<string>();
    for (const f of modules) for (const k of Object.keys(await import(path.join(sources, f)))) if (k !== "default" && k !== "module.exports") expected.add(k);
    assert.deepEqual(result.exports, [...expected].sort());
    const byName = (type: string, name: string) => result.registrations.filter((r: any) => r.type === type && r.name === name);
    assert.equal(byName("gitops:registry:Registry", "acr").length, 1);
    const [acr] = byName("azure-native:containerregistry:Registry", "acr-acr");
    assert.equal(acr.inputs.registryName, "consumeracr");
    assert.deepEqual(acr.inputs.sku, { name: "Standard" }, "the package applies its defaults");
    assert.equal(byName("gitops:connector:GitOpsConnector", "gc").length, 1);
    const [release] = byName("kubernetes:helm.sh/v3:Release", "gc-release");
    assert.equal(release.inputs.version, "1.2.1");
    assert.match(release.provider, /::k8s::/, "the connector's children use the provider from its options");
    assert.deepEqual(result.defaults, { registry: { sku: "Standard", pullCredentialLifetime: "8760h", protect: false }, connector: { namespace: "gitops-connector", chartVersion: "1.2.1", chartRepo: "https://azure.github.io/gitops-connector/" } });
    assert.equal(result.nameProblem, "expected 5-50 letters or digits (ACR names allow no '-')");
    assert.deepEqual(result.refused, { isInputPropertiesError: true, errors: [{ propertyPath: "registryName", reason: result.nameProblem }] });
    assert.equal(byName("gitops:registry:Registry", "bad").length, 0);
});
