// What the project tells people to type. A secret passed as a command-line argument lands in shell
// history and is visible to every user through `ps`: every documented `pulumi config set --secret`
// reads its value from standard input (a file or a pipe) instead.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseStackConfig, setSecretCommand } from "../infra/config.ts";
import { projectConfig, REPO_ROOT } from "./support.ts";

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

test("every documented secret command reads its value from a file or a pipe: README, stack files, program messages", () => {
    const sources = [
        "README.md",
        ...readdirSync(path.join(REPO_ROOT, "stacks")).map((f) => path.join("stacks", f)),
        ...["infra", "components", "scripts"].flatMap((d) => readdirSync(path.join(REPO_ROOT, d)).filter((f) => f.endsWith(".ts")).map((f) => path.join(d, f))),
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
    try {
        parseStackConfig("t", projectConfig({ cluster: { mode: "arc", name: "c", appNamespaces: ["a"] } }), () => "missing", () => "o");
    } catch (e) {
        for (const command of secretSetCommands(String((e as Error).message))) assert.ok(readsValueFromStdin(command), command);
    }
});
