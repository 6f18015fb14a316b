// npm run new-stack -- <stack> --mode aks|aksExisting|arc --cluster <name> [--from <stack>] [options]
//
// Writes stacks/Pulumi.<stack>.yaml for a cluster no stack owns yet, commented like the shipped stacks,
// then prints the commands that come next and the new stack's offline plan. `--from <stack>` starts
// from that stack's registry, flux, connector and github sections, with the cluster, its GitOps folder
// and the GitHub environment replaced; what exactly one stack may own (the repository level, a
// connector's dispatches to an app repo, a registry or resource group another stack creates) is left with
// the stack that has it, and the file says so. The file is checked as the program and `npm run plan --
// --all` check every stack, before it is written, and never overwrites one (docs/bootstrapping.md).
//
// Exits 2 on bad usage or input, before anything is checked or written: an unknown or repeated option,
// a stack name that isn't a plain name, is taken, or differs only in case from one that is, an unknown
// --mode, --auth or --from, a required option missing. Exits 1, writing nothing, when the file would be
// invalid (the config error, naming the key and the option that sets it), would conflict with another
// stack (the cross-stack error), or when a stack already there is invalid; and when the new stack can't
// be planned, after removing the file it wrote.
import { rmSync } from "node:fs";
import * as path from "node:path";
import { setSecretCommand } from "../infra/config.ts";
import { parseCommandLine, type CommandLine } from "./lib/cli.ts";
import { AUTH_TYPES, MODES, Refused, UsageError, writeNewStack, type AuthType, type Mode, type NewStack, type NewStackRequest } from "./lib/new-stack.ts";
import { describeStack } from "./lib/new-stack-file.ts";
import { renderText } from "./lib/plan-render.ts";
import { planStack } from "./lib/plan-run.ts";

const REPO = path.join(__dirname, "..");
export const USAGE =
    "usage: npm run new-stack -- <stack> --mode aks|aksExisting|arc --cluster <name> [--from <stack>] [--resource-group <rg>] [--location <region>] " +
    "[--registry <acr>] [--gitops-repo <url>] [--branch <branch>] [--path <folder>] [--namespace <namespace>] [--auth none|https|ssh|githubDeployKey] " +
    "[--github-owner <owner>] [--app-repo <repo>] [--environment <name>] [--key-vault <name or resource ID> [--oidc-issuer-url <url>]] [--root <dir>] [--no-plan]";

const SPEC = {
    mode: "string", cluster: "string", from: "string", "resource-group": "string", location: "string", registry: "string", "gitops-repo": "string",
    branch: "string", path: "string", namespace: "string", auth: "string", "github-owner": "string", "app-repo": "string", environment: "string",
    "key-vault": "string", "oidc-issuer-url": "string", root: "string", "no-plan": "boolean",
} as const;

export interface NewStackCommand {
    readonly request: NewStackRequest;
    /** The checkout whose stacks/ gets the file (and whose program plans it). */
    readonly root: string;
    readonly plan: boolean;
}

/** The command line as a request, or a UsageError naming the option and what it expects. */
export function readCommandLine(argv: readonly string[]): NewStackCommand {
    const line: CommandLine<typeof SPEC> | undefined = parseCommandLine(argv, SPEC);
    if (!line || line.positionals.length !== 1) throw new UsageError(USAGE);
    const v = line.values;
    // Option values are not repeated in messages: a token pasted into the wrong option must not reach a log.
    if (v.mode === undefined) throw new UsageError(`--mode: required, one of ${MODES.join(", ")}\n${USAGE}`);
    if (!(MODES as readonly string[]).includes(v.mode)) {
        throw new UsageError(`--mode: expected one of ${MODES.join(", ")} (a stack sharing another stack's cluster, mode shared, is written by hand: see stacks/Pulumi.stage.yaml)`);
    }
    if (v.auth !== undefined && !(AUTH_TYPES as readonly string[]).includes(v.auth)) throw new UsageError(`--auth: expected one of ${AUTH_TYPES.join(", ")}`);
    const mode = v.mode as Mode;
    if (v.cluster === undefined) {
        const what = mode === "aks" ? "the AKS cluster to create" : mode === "aksExisting" ? "the existing AKS cluster" : "the Arc connected cluster";
        throw new UsageError(`--cluster: required: the name of ${what}\n${USAGE}`);
    }
    const request = {
        name: line.positionals[0],
        mode,
        cluster: v.cluster,
        from: v.from,
        resourceGroup: v["resource-group"],
        location: v.location,
        registry: v.registry,
        gitopsRepo: v["gitops-repo"],
        branch: v.branch,
        path: v.path,
        namespace: v.namespace,
        auth: v.auth as AuthType | undefined,
        githubOwner: v["github-owner"],
        appRepo: v["app-repo"],
        environment: v.environment,
        keyVault: v["key-vault"],
        oidcIssuerUrl: v["oidc-issuer-url"],
    };
    return {
        // Only the options given: an absent one means the default, or what --from's stack says.
        request: Object.fromEntries(Object.entries(request).filter(([, x]) => x !== undefined)) as unknown as NewStackRequest,
        root: path.resolve(v.root ?? REPO),
        plan: v["no-plan"] === undefined,
    };
}

/** What comes next, as commands to copy: the stack, its secrets, the GitOps repo's folders, a preview. */
export function nextSteps(s: NewStack, root: string): string {
    const out = [`Wrote ${s.stackFile}: ${describeStack(s.config)}`];
    if (s.notes.length > 0) {
        out.push("", "Fitted to the other stacks (the file says why, above each section):");
        for (const n of s.notes) out.push(`  ${n.setting}: ${n.why}`);
    }
    // Pulumi.yaml's stackConfigDir is stacks/, so the CLI finds the file from the project's root.
    out.push("", `Next, from ${root === REPO ? "the repository root" : root}:`, `  pulumi stack init ${s.stack}`);
    for (const secret of s.secrets) out.push(`  ${setSecretCommand(secret.key, s.stack)}   # ${secret.purpose}`);
    if (s.config.github !== undefined && s.config.github.tokenSecret === undefined) {
        out.push("  read -rs GITHUB_TOKEN && export GITHUB_TOKEN   # the github provider's token (docs/deploying.md#github-tokens)");
    }
    const repos = new Map<string, string[]>();
    for (const f of s.folders) repos.set(`${f.url} (${f.ref})`, [...(repos.get(`${f.url} (${f.ref})`) ?? []), `${f.path}   (configuration ${f.configuration}, kustomization ${f.kustomization})`]);
    for (const [repo, folders] of repos) {
        out.push("", `The GitOps repo ${repo} must contain, before pulumi up:`, ...folders.map((f) => `  ${f}`));
    }
    out.push("", `Then: pulumi preview --stack ${s.stack}`, "");
    return out.join("\n");
}

function main(argv: string[]): number {
    let command: NewStackCommand;
    let written: NewStack;
    try {
        command = readCommandLine(argv);
        written = writeNewStack(path.join(command.root, "stacks"), command.request);
    } catch (e) {
        if (e instanceof UsageError) {
            console.error(e.message);
            return 2;
        }
        if (e instanceof Refused) {
            console.error(`${e.message}\nNothing written.`);
            return 1;
        }
        throw e;
    }
    // Planned before anything is said about the file: one that can't be planned is removed, and the
    // output never claims a stack that isn't there.
    let plan: string | undefined;
    if (command.plan) {
        try {
            plan = renderText(planStack(written.stack, { root: command.root }));
        } catch (e) {
            // A stack file the program can't plan is no stack file to keep: this run created it, so it goes.
            rmSync(path.join(command.root, written.stackFile));
            console.error(`${(e as Error).message}\n${written.stackFile} could not be planned, so it was removed.`);
            return 1;
        }
    }
    process.stdout.write(nextSteps(written, command.root));
    if (plan !== undefined) process.stdout.write(`\n${plan}`);
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
