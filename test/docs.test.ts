// What the project tells people to type, and the shape of its docs. A secret passed as a command-line
// argument lands in shell history and is visible to every user through `ps`: every documented
// `pulumi config set --secret` reads its value from standard input (a file or a pipe) instead. The
// README stays short enough to read, opens with what a newcomer needs first, and every relative link in
// it or in docs/ leads somewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { setSecretCommand } from "../infra/config.ts";
import { planStack } from "../scripts/plan.ts";
import { parseShippedStack, REPO_ROOT } from "./support.ts";

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), "utf8");
const README = "README.md";
/** The reference pages, as paths from the repository root. */
const DOCS = readdirSync(path.join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join("docs", f));

/** Every .ts file under a folder, at any depth. */
function tsFiles(dir: string): string[] {
    return readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts"))
        .map((f) => path.join(dir, f));
}

/** Each `pulumi config set … --secret …` command in a text, up to the end of its line or code span. */
function secretSetCommands(text: string): string[] {
    return [...text.matchAll(/pulumi config set\b[^\n`|)]*/g)].map((m) => m[0].trim()).filter((c) => /(^|\s)--secret(\s|$)/.test(c));
}

/**
 * Whether the command's value comes from standard input: after dropping a trailing `< file` redirect
 * and the flags, only the key may be left. A placeholder such as `<value>` counts as a value.
 */
function readsValueFromStdin(command: string): boolean {
    const words = command
        .replace(/^pulumi config set/, "")
        .replace(/\s#.*$/, "") // a trailing shell comment
        .replace(/\s<\s*(<[^>]*>|\S+)\s*$/, "")
        .trim()
        .split(/\s+/)
        .filter(Boolean);
    const positional = words.filter((w, i) => (!w.startsWith("--") || w === "--") && words[i - 1] !== "--stack" && w !== "--");
    return positional.length <= 1;
}

test("the rule itself: a value on the command line is caught, a redirect or pipe is not", () => {
    assert.equal(readsValueFromStdin("pulumi config set --secret connectorPat ghp_x --stack dev"), false);
    assert.equal(readsValueFromStdin("pulumi config set --secret connectorPat <value> --stack dev"), false);
    assert.equal(readsValueFromStdin('pulumi config set connectorPat "$PAT" --secret'), false);
    assert.equal(readsValueFromStdin('pulumi config set --secret arcKubeconfig -- "$(cat edge.kubeconfig)" --stack edge'), false);
    assert.equal(readsValueFromStdin("pulumi config set --secret connectorPat --stack dev < connector.pat"), true);
    assert.equal(readsValueFromStdin("pulumi config set --secret <key> --stack <stack> < <file>"), true);
    assert.equal(readsValueFromStdin("pulumi config set --secret connectorPat --stack dev < <file holding the value>"), true);
    assert.equal(readsValueFromStdin("pulumi config set --secret"), true);
    assert.deepEqual(secretSetCommands('a `pulumi config set connectorPat "$PAT" --secret` b\npulumi config set plain value'), ['pulumi config set connectorPat "$PAT" --secret']);
});

test("every documented secret command reads its value from a file or a pipe: README, docs, stack files, program messages", () => {
    const sources = [
        README,
        ...DOCS,
        ...readdirSync(path.join(REPO_ROOT, "stacks")).map((f) => path.join("stacks", f)),
        ...["infra", "components", "scripts"].flatMap(tsFiles),
    ];
    let seen = 0;
    for (const file of sources) {
        const text = readFileSync(path.join(REPO_ROOT, file), "utf8");
        for (const command of secretSetCommands(text)) {
            seen++;
            assert.ok(readsValueFromStdin(command), `${file}: ${command}`);
        }
        // Nor a token exported with its value on the command line.
        assert.doesNotMatch(text, /export \w*(TOKEN|PAT|SECRET|PASSPHRASE|PASSWORD)\w*=/, file);
    }
    assert.ok(seen >= 6, `found ${seen} commands`);
    // And the command a config error prints.
    assert.equal(readsValueFromStdin(setSecretCommand("connectorPat", "dev")), true);
    // The error for a stack whose secrets are missing names the command that sets each one.
    let commands: string[] = [];
    assert.throws(
        () => parseShippedStack("edge", {}),
        (e: Error) => {
            commands = secretSetCommands(e.message);
            return true;
        },
    );
    assert.deepEqual(commands.map((c) => c.split(/\s+/)[4]).sort(), ["arcKubeconfig", "connectorPat", "gitopsRepoPat"]);
    for (const command of commands) assert.ok(readsValueFromStdin(command), command);
});

/** A Markdown text without its fenced code blocks, whose `#` lines and brackets are not Markdown. */
function prose(text: string): string {
    return text.replace(/^([ \t]*)```[\s\S]*?^\1```$/gm, "");
}

/** The H2 sections of a Markdown text, in order: heading -> body. */
function sections(text: string): [string, string][] {
    return prose(text).split(/^## /m).slice(1).map((s) => {
        const nl = s.indexOf("\n");
        return [s.slice(0, nl).trim(), s.slice(nl + 1)];
    });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
    return heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

test("the README stays under 25 KB; reference material lives in docs/", () => {
    const size = statSync(path.join(REPO_ROOT, README)).size;
    assert.ok(size < 25_000, `README.md is ${size} bytes`);
    for (const page of ["architecture.md", "ci.md", "deploying.md", "graph.md", "offline-plan.md", "testing.md"]) {
        assert.ok(existsSync(path.join(REPO_ROOT, "docs", page)), page);
    }
});

test("the README opens with what this is, a folder map, the quick start, then the steps to deploy for real", () => {
    const s = sections(read(README));
    assert.deepEqual(s.slice(0, 4).map(([h]) => h), ["What this is", "Folders", "Quick start", "Deploy dev and stage for real"]);
    const [, what] = s[0];
    const lines = what.split("\n").filter((l) => l.trim() !== "");
    assert.ok(lines.length <= 10, `"What this is" has ${lines.length} lines`);
    assert.ok(s.some(([h]) => h === "Using the components from another program"));
});

test("the folder map names every top-level entry of the project, one line each, and nothing that isn't there", () => {
    const text = read(README);
    const map = /^## Folders\n[\s\S]*?```\n([\s\S]*?)```/m.exec(text)![1];
    const named = map.trimEnd().split("\n").map((l) => l.split(/\s+/)[0]);
    for (const entry of named) assert.ok(existsSync(path.join(REPO_ROOT, entry)), `${entry} is in the map but not in the project`);
    // What git ignores (node_modules, build output) is not part of the project a clone gets.
    const ignored = read(".gitignore").split("\n").map((l) => l.trim().replace(/^\/|\/$/g, ""));
    const folders = readdirSync(path.join(REPO_ROOT), { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name !== ".git" && !ignored.includes(d.name))
        .map((d) => d.name);
    for (const folder of folders) {
        assert.ok(named.some((n) => n === `${folder}/` || n.startsWith(`${folder}/`)), `${folder}/ is missing from the folder map`);
    }
    assert.equal(new Set(named).size, named.length, "one line each");
});

test("the quick start's test command is what CI runs, and its plan line is what the plan prints", () => {
    const quick = /^## Quick start\n([\s\S]*?)^## /m.exec(read(README))![1];
    const commands = /```bash\n([\s\S]*?)```/.exec(quick)![1].trim().split("\n").map((l) => l.replace(/\s+#.*$/, "").trim());
    assert.deepEqual(commands, ["npm ci && npm run plan -- dev", "npm test"]);
    const ci = read(path.join(".ci", "run")).trimEnd().split("\n");
    assert.deepEqual(ci.slice(-2), ["npm ci --no-audit --no-fund", "npm test"], ".ci/run installs, then runs the README's test command");
    assert.match(quick, /^Offline plan for stack dev: \d+ resources$/m);
});

test("every resource count the README quotes is the offline plan's", () => {
    const text = read(README);
    const counts = new Map<string, number>();
    for (const m of text.matchAll(/Offline plan for stack (\w+): (\d+) resources/g)) counts.set(m[1], Number(m[2]));
    for (const m of text.matchAll(/offline plan counts (\d+) resources for (\w+)/g)) counts.set(m[2], Number(m[1]));
    for (const m of text.matchAll(/… (\w+): (\d+) resources/g)) counts.set(m[1], Number(m[2]));
    assert.deepEqual([...counts.keys()].sort(), ["dev", "stage"]);
    for (const [stack, n] of counts) assert.equal(planStack(stack).resources.length, n, `${stack}'s count in the README`);
});

test("the deploy steps are numbered and end in pulumi destroy, lifting protection with pulumi state unprotect", () => {
    const [, steps] = sections(read(README)).find(([h]) => h === "Deploy dev and stage for real")!;
    const raw = /^## Deploy dev and stage for real\n([\s\S]*?)^## /m.exec(read(README))![1];
    const numbers = [...steps.matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1]));
    assert.deepEqual(numbers, numbers.map((_, i) => i + 1));
    assert.ok(numbers.length >= 5, `${numbers.length} steps`);
    const last = raw.slice(raw.lastIndexOf(`\n${numbers.length}. `));
    assert.match(last, /pulumi destroy --stack stage\n/);
    assert.match(last, /pulumi destroy --stack dev\n/);
    assert.match(last, /pulumi state unprotect --stack dev /);
    assert.ok(raw.indexOf("pulumi up --stack dev") < raw.indexOf("pulumi up --stack stage"), "dev before stage");
});

test("every relative link in the README and docs/ leads to a file that exists, and each anchor to a heading there", () => {
    let links = 0;
    for (const file of [README, ...DOCS]) {
        for (const m of prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
            const target = m[1];
            if (/^[a-z]+:/i.test(target)) continue;
            links++;
            const [rel, hash] = target.split("#");
            const resolved = rel === "" ? file : path.normalize(path.join(path.dirname(file), rel));
            assert.ok(existsSync(path.join(REPO_ROOT, resolved)), `${file}: ${target} -> ${resolved} does not exist`);
            if (hash === undefined || !resolved.endsWith(".md")) continue;
            const headings = [...prose(read(resolved)).matchAll(/^#+ (.+)$/gm)].map((h) => anchor(h[1]));
            assert.ok(headings.includes(hash), `${file}: ${target}: no heading #${hash} in ${resolved}`);
        }
    }
    assert.ok(links >= 20, `${links} links`);
});

test("the README points to every page in docs/", () => {
    const linked = new Set([...read(README).matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => path.normalize(m[1])));
    for (const page of DOCS) assert.ok(linked.has(page), `README.md has no link to ${page}`);
    assert.ok(linked.has(path.join("docs", "configuration.md")));
});
