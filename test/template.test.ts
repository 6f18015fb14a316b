// The repository as a `pulumi new` template (Pulumi.yaml's template section; docs/bootstrapping.md has
// what `pulumi new` does with it): every prompt is a key the stack file accepts, in this project's
// namespace, with the string default the CLI requires; secrets are asked for as secrets, with no
// default; and the defaults, stored as `pulumi new` stores them (each answer a string, each secret
// `secure:`), are a stack that parseStackConfig accepts and the offline plan plans. And copying the
// template, which replaces the project-name and description placeholders in every text file, changes
// nothing the program computes.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { parseStackConfig, PROJECT, requiredSecrets, TOP_LEVEL_KEYS, type StackConfig } from "../infra/config.ts";
import { crossStackProblems } from "../infra/github-layout.ts";
import { engineConfig, loadStacks, readStackFile } from "../infra/stack-files.ts";
import { planStack } from "../scripts/lib/plan-run.ts";
import { REPO_ROOT } from "./support.ts";

interface TemplateValue {
    readonly description?: unknown;
    readonly default?: unknown;
    readonly secret?: unknown;
}

const project = YAML.parse(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
const prompts = Object.entries((project.template?.config ?? {}) as Record<string, TemplateValue>);
const name = (fullKey: string) => fullKey.slice(PROJECT.length + 1);
const isSection = (fullKey: string) => (TOP_LEVEL_KEYS as readonly string[]).includes(name(fullKey));

/** What a secret config key is called: a token, a password, a key or a kubeconfig. */
const SECRET_LOOKING = /(pat|token|secret|password|key|kubeconfig)$/i;

/**
 * The stack file `pulumi new --yes` would write, with every secret prompt answered: each answer a
 * string (template config keys aren't paths, so a section is its JSON), each secret `secure:`.
 */
function templateStackFile(change: (json: string) => string = (j) => j): string {
    const config: Record<string, unknown> = {};
    for (const [k, v] of prompts) config[k] = v.secret === true ? { secure: "v1:c2FsdA==:ZW5jcnlwdGVkIGFuc3dlcg==" } : change(String(v.default));
    return YAML.stringify({ config });
}

const scratch: string[] = [];
after(() => {
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** The program and the shipped stacks, plus the template's stack as `first`. */
function projectWithTemplateStack(text: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), "template-"));
    scratch.push(dir);
    for (const f of ["infra", "components", "Pulumi.yaml", "package.json", "tsconfig.json"]) cpSync(path.join(REPO_ROOT, f), path.join(dir, f), { recursive: true });
    mkdirSync(path.join(dir, "stacks"));
    for (const s of ["dev", "edge", "fleet", "prod", "stage"]) copyFileSync(path.join(REPO_ROOT, "stacks", `Pulumi.${s}.yaml`), path.join(dir, "stacks", `Pulumi.${s}.yaml`));
    writeFileSync(path.join(dir, "stacks", "Pulumi.first.yaml"), text);
    symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

/** The template's stack, read back and validated as the program does: a `secure:` value counts as set. */
function parseTemplateStack(dir: string): StackConfig {
    const file = readStackFile(path.join(dir, "stacks"), "first");
    return parseStackConfig("first", engineConfig(file.values), (k) => (file.secureKeys.includes(`${PROJECT}:${k}`) ? "secret" : "missing"), () => "organization");
}

test("Pulumi.yaml is a template: its name is literal and kept, and each prompt is a key of this project's stack file", () => {
    // Not the placeholder: `pulumi new` then offers gitops-platform as the project name.
    assert.equal(project.name, PROJECT);
    assert.equal(typeof project.template.displayName, "string");
    assert.equal(typeof project.template.description, "string");
    const defaults = Object.fromEntries(prompts.filter(([k]) => isSection(k)).map(([k, v]) => [k, String(v.default)]));
    const secrets = requiredSecrets(parseStackConfig("first", defaults, () => "secret", () => "organization")).map((s) => s.key);
    for (const [k, v] of prompts) {
        // Fully qualified: a bare key would move to whatever project name the user types.
        assert.ok(k.startsWith(`${PROJECT}:`), `${k}: not under ${PROJECT}:`);
        assert.ok(isSection(k) || secrets.includes(name(k)), `${k}: neither a top-level key (${TOP_LEVEL_KEYS.join(", ")}) nor a secret the defaults name (${secrets.join(", ")})`);
        assert.equal(typeof v.description, "string", `${k}: a description, shown as the prompt`);
        if (isSection(k)) {
            // The CLI reads a template default into a string: a section's default is its JSON.
            assert.equal(typeof v.default, "string", `${k}: a string default`);
            const section = JSON.parse(String(v.default));
            assert.ok(section !== null && typeof section === "object" && !Array.isArray(section), `${k}: a JSON object`);
            assert.notEqual(v.secret, true, `${k}: a section is no secret`);
        } else {
            assert.equal(v.secret, true, `${k}: asked for as a secret (input hidden, stored secure:)`);
            assert.equal(v.default, undefined, `${k}: a secret has no default`);
        }
        if (SECRET_LOOKING.test(name(k))) assert.equal(v.secret, true, `${k}: looks like a secret`);
    }
    // Every secret the defaults need is asked for.
    assert.deepEqual(secrets.filter((s) => !prompts.some(([k]) => name(k) === s)), []);
    assert.deepEqual(prompts.filter(([k]) => isSection(k)).map(([k]) => name(k)).sort(), ["azure", "cluster", "connector", "flux", "github", "registry"]);
    // docs/bootstrapping.md quotes the defaults (flux's in words).
    const docs = readFileSync(path.join(REPO_ROOT, "docs", "bootstrapping.md"), "utf8");
    for (const [k, v] of prompts.filter(([k]) => isSection(k) && name(k) !== "flux")) assert.ok(docs.includes(`| \`${name(k)}\`, as JSON | \`${v.default}\` |`), `${k}: its default in docs/bootstrapping.md`);
});

test("the defaults, stored as pulumi new stores them, validate and plan; answered with a real owner, they sit beside the sample stacks", () => {
    const dir = projectWithTemplateStack(templateStackFile());
    const config = parseTemplateStack(dir);
    assert.equal(config.kind, "owner");
    const plan = planStack("first", { root: dir });
    assert.ok(plan.resources.some((r) => r.type === "azure-native:containerservice:ManagedCluster"), "an AKS cluster");
    assert.ok(plan.resources.some((r) => r.type === "azure-native:kubernetesconfiguration:FluxConfiguration"), "a Flux configuration");
    assert.deepEqual(plan.secrets.map((s) => [s.key, s.status]).sort(), [["appRepoPat", "secure"], ["connectorPat", "secure"]]);

    // Only the placeholders are shared with the sample stacks: the cluster, its resource group and the
    // registry are the template's own, so an owner of one's own claims nothing twice.
    const mine = projectWithTemplateStack(templateStackFile((json) => json.replaceAll("your-github-org", "contoso")));
    assert.deepEqual(crossStackProblems(loadStacks(path.join(mine, "stacks"))), []);
});

test("copying the template changes no program: the placeholders it replaces occur only where PROJECT already means the project's name", () => {
    // `pulumi new` replaces these two placeholders in every text file it copies (the project name, the description).
    const [projectPlaceholder, descriptionPlaceholder] = ["PROJECT", "DESCRIPTION"].map((p) => "$" + `{${p}}`);
    const files = spawnSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" }).stdout.split("\n").filter(Boolean);
    let seen = 0;
    for (const file of files) {
        let text: string;
        try {
            text = readFileSync(path.join(REPO_ROOT, file), "utf8");
        } catch {
            continue; // listed but deleted from the working tree
        }
        assert.ok(!text.includes(descriptionPlaceholder), `${file}: the description placeholder would become the project's description`);
        if (!text.includes(projectPlaceholder)) continue;
        seen++;
        // In TypeScript it is a template literal's PROJECT, the constant holding this project's name: with
        // `--name gitops-platform` the copy reads the same value written out.
        assert.ok(file.endsWith(".ts"), `${file}: the project-name placeholder outside TypeScript`);
        const bound = /^(import \{[^}]*\bPROJECT\b[^}]*\} from |\s*const \{[^}]*\bPROJECT\b[^}]*\} = require\(|export const PROJECT = "gitops-platform";$)/m;
        assert.match(text, bound, `${file}: uses the placeholder where PROJECT isn't the project's name`);
    }
    assert.ok(seen > 0);
});
