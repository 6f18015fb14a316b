// What the project tells people to type. A secret passed as a command-line argument lands in shell
// history and is visible to every user through `ps`: every documented `pulumi config set --secret`
// reads its value from standard input (a file or a pipe) instead.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseStackConfig, setSecretCommand } from "../infra/config.ts";
import { projectConfig, REPO_ROOT } from "./support.ts";

/** Each `pulumi config set --secret …` command in a text, up to the end of its line or code span. */
function secretSetCommands(text: string): string[] {
    return [...text.matchAll(/pulumi config set --secret(?= |$)[^\n`|)]*/gm)].map((m) => m[0].trim());
}

/** Whether the command's value comes from standard input: after the key, only `--stack <s>` and a redirect. */
function readsValueFromStdin(command: string): boolean {
    const words = command.replace(/^pulumi config set --secret/, "").split("<")[0].trim().split(/\s+/).filter(Boolean);
    const positional = words.filter((w, i) => !w.startsWith("--") && words[i - 1] !== "--stack");
    // The key is the one positional word; a second would be the value (the `<key>` placeholder counts as the key).
    return positional.length <= 1;
}

test("the rule itself: a value on the command line is caught, a redirect or pipe is not", () => {
    assert.equal(readsValueFromStdin("pulumi config set --secret connectorPat ghp_x --stack dev"), false);
    assert.equal(readsValueFromStdin('pulumi config set --secret arcKubeconfig -- "$(cat edge.kubeconfig)" --stack edge'), false);
    assert.equal(readsValueFromStdin("pulumi config set --secret connectorPat --stack dev < connector.pat"), true);
    assert.equal(readsValueFromStdin("pulumi config set --secret <key> --stack <stack> < <file>"), true);
    assert.equal(readsValueFromStdin("pulumi config set --secret"), true);
});

test("every documented secret command reads its value from a file or a pipe: README, stack files, program messages", () => {
    const sources = [
        "README.md",
        ...readdirSync(path.join(REPO_ROOT, "stacks")).map((f) => path.join("stacks", f)),
        ...["infra", "components", "scripts"].flatMap((d) => readdirSync(path.join(REPO_ROOT, d)).filter((f) => f.endsWith(".ts")).map((f) => path.join(d, f))),
    ];
    let seen = 0;
    for (const file of sources) {
        for (const command of secretSetCommands(readFileSync(path.join(REPO_ROOT, file), "utf8"))) {
            seen++;
            assert.ok(readsValueFromStdin(command), `${file}: ${command}`);
        }
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
