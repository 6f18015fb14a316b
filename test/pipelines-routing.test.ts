// Who a pull request's preview runs as, and which credentials each Pulumi command gets, found by
// evaluating the GitHub Actions expressions in the project's own workflows rather than by reading how
// they are spelled. Also the federated credentials docs/ci.md tells you to create, against the
// environments the jobs present.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { REPO_ROOT } from "./support.ts";

const workflow = (f: string) => YAML.parse(readFileSync(path.join(REPO_ROOT, ".github", "workflows", f), "utf8"));

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

test("docs/ci.md's federated credentials cover exactly the environments the jobs present, and no pull_request subject", () => {
    // The whole page: the credentials are created in one section, the environments' rules set in another.
    const page = readFileSync(path.join(REPO_ROOT, "docs", "ci.md"), "utf8");
    const subjects = [...page.matchAll(/^fic <([a-z-]+)> "repo:\$repo:([^"]+)"$/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
    const deployEnvs = Object.values(workflow("deploy.yml").jobs).map((j: any) => j.with.environment);
    const previewEnvs = [...new Set(["OWNER", "NONE"].map((a) => previewEnvironment(a)))];
    assert.deepEqual(subjects, [
        ...deployEnvs.map((e) => `deploying-app-client-id environment:${e}`),
        ...previewEnvs.map((e) => `preview-app-client-id environment:${e}`),
    ].sort());
    assert.match(page, /`preview-external` with required reviewers/);
});
