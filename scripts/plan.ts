// npm run plan -- <stack...> | --all   [--json] [--graph] [--diff <git-ref>] [--root <dir>] [--secrets <file>] [--organization <org>]
//
// The desired state of a stack with nothing but Node.js: the real program (infra/index.ts) evaluated
// under Pulumi's mock runtime, no CLI, cloud or credentials. Secrets never appear: secret config gets
// placeholders and every secret value prints as [secret]; what the cloud computes prints as
// (known after apply). `--root` plans another checkout of this project; `--secrets` takes the output of
// `pulumi config --show-secrets --json` to evaluate with real secret values, which stay unprinted.
// `--policy` prints, instead of the plan, what the policy pack (policy/) finds in it, and exits 1 on a
// mandatory violation (scripts/lib/plan-policy.ts). `--destroy` prints, instead of the plan, the order
// `pulumi destroy` would delete each stack in (with --json, as data), each step's typical time, and what
// is skipped because it goes with its cluster (deletedWith; scripts/lib/plan-destroy.ts).
// Exits 1 on a missing or invalid stack file (not YAML, or the config error); with --all, also when
// stacks claim the same GitHub object or app repo. Exits 2 on bad usage or input, before anything is
// evaluated: a stack name that isn't a plain name, a --secrets file that isn't a JSON object, a --diff
// ref git can't archive, an unknown or repeated option, an empty option value. --diff's temporary
// checkout is removed on every way out.
//
// This file is the command line; the work is in scripts/lib: plan-run.ts (one stack, in a child
// process), plan-render.ts (text and graphs) and plan-diff.ts (--diff).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { crossStackProblems } from "../infra/github-layout.ts";
import { listStacks, loadStacks } from "../infra/stack-files.ts";
import { parseCommandLine, stackNameProblem } from "./lib/cli.ts";
import { checkout, diffPlans, renderDiff, withTemporaryFolder } from "./lib/plan-diff.ts";
import type { StackPlan } from "./lib/plan-model.ts";
import { destroyPlan, renderDestroy } from "./lib/plan-destroy.ts";
import { checkPlan, mandatoryViolations, PolicyConfigError, readPolicyConfig, renderPolicyReport } from "./lib/plan-policy.ts";
import { renderDot, renderMermaid, renderText } from "./lib/plan-render.ts";
import { renderFleetSummary } from "./lib/plan-summary.ts";
import { DEFAULT_JOBS, InputError, Interrupted, PlanError, planStacks, type PlanOptions } from "./lib/plan-run.ts";
import { readSecretsFile, SecretsFileError } from "./plan-stack.ts";

// What other scripts and the tests use of the plan, from the module `npm run plan` runs.
export { diffPlans, renderDiff, type FieldChange, type PlanDiff, type ResourceChange } from "./lib/plan-diff.ts";
export { renderDot, renderMermaid, renderText } from "./lib/plan-render.ts";
export { InputError, PlanError, planStack, planStacks, type PlanOptions } from "./lib/plan-run.ts";

const REPO = path.join(__dirname, "..");
const USAGE = "usage: npm run plan -- <stack...> | --all  [--json] [--graph] [--diff <git-ref>] [--root <dir>] [--secrets <file>] [--organization <org>] [--policy] [--destroy] [--jobs <n>]";

async function main(argv: string[]): Promise<number> {
    const line = parseCommandLine(argv, {
        diff: "string", root: "string", secrets: "string", organization: "string", json: "boolean", graph: "boolean", all: "boolean", policy: "boolean", destroy: "boolean", jobs: "string",
    });
    const { diff: ref, secrets: secretsOption, organization, json, graph, all, policy, destroy } = line?.values ?? {};
    const args = line?.positionals ?? [];
    // A ref starting with '-' would reach git as an option.
    // --policy reports instead of a plan: it takes no output format and no diff.
    // --destroy is the delete order of the stacks as they are: no diff, no create graph, not with --policy.
    const misused = (policy && (ref !== undefined || json || graph)) || (destroy && (ref !== undefined || graph || policy));
    if (!line || (!all && args.length === 0) || ref?.startsWith("-") || misused) {
        console.error(USAGE);
        return 2;
    }
    // Stacks planned at once, each in its own process: one per core unless told otherwise.
    const jobs = line.values.jobs === undefined ? DEFAULT_JOBS : /^[1-9][0-9]{0,2}$/.test(line.values.jobs) ? Number(line.values.jobs) : undefined;
    if (jobs === undefined) {
        console.error(`--jobs ${JSON.stringify(line.values.jobs)}: expected a whole number of stacks to plan at once, 1 to 999`);
        return 2;
    }
    const root = path.resolve(line.values.root ?? REPO);
    // A stack name becomes part of a file path: only plain names, checked before any file is read.
    for (const s of all ? [] : args) {
        const problem = stackNameProblem(s);
        if (problem) {
            console.error(problem);
            return 2;
        }
    }
    // Absolute: the sides of a diff are evaluated in other folders.
    const secretsFile = secretsOption === undefined ? undefined : path.resolve(secretsOption);
    try {
        // Once, before any stack is evaluated; it holds secrets, so no error quotes it.
        if (secretsOption !== undefined) readSecretsFile(secretsOption);
        if (all && !existsSync(path.join(root, "stacks"))) throw new InputError(`no stacks folder in ${root}`);
        const stacks = all ? listStacks(path.join(root, "stacks")) : args;
        for (const s of stacks) {
            const problem = stackNameProblem(s);
            if (problem) throw new InputError(`stacks/Pulumi.${s}.yaml: ${problem}`);
        }
        if (stacks.length === 0) throw new InputError(`no stack files in ${path.join(root, "stacks")}`);
        if (ref !== undefined) {
            // One key for both sides of this diff only: secret fingerprints compare, and mean nothing later.
            const o = { secretsFile, organization, diffKey: randomBytes(32).toString("hex") };
            const diffs = await withTemporaryFolder(async (dir) => {
                checkout(root, ref, dir);
                const exists = (r: string, s: string) => listStacks(path.join(r, "stacks")).includes(s);
                for (const s of stacks) {
                    if (!exists(root, s) && !exists(dir, s)) throw new PlanError(`no stack file stacks/Pulumi.${s}.yaml at ${ref} or in the working tree`);
                }
                // Both sides of every stack at once; a side the stack has no file on is absent.
                const sides = stacks.flatMap((s) => [
                    ...(exists(dir, s) ? [{ stack: s, side: "before", options: { ...o, root: dir } }] : []),
                    ...(exists(root, s) ? [{ stack: s, side: "after", options: { ...o, root } }] : []),
                ]);
                const plans = await planStacks(sides, jobs);
                const side = (s: string, which: string) => plans[sides.findIndex((x) => x.stack === s && x.side === which)];
                return stacks.map((s) => diffPlans(s, ref, side(s, "before"), side(s, "after")));
            });
            process.stdout.write(json ? JSON.stringify(diffs.length === 1 ? diffs[0] : diffs, null, 2) + "\n" : diffs.map(renderDiff).join("\n"));
            return 0;
        }
        // Each stack's policy config read before anything is evaluated: a broken one fails fast.
        const policyConfigs = policy ? stacks.map((s) => readPolicyConfig(root, s)) : [];
        const options: PlanOptions = { root, secretsFile, organization };
        const plans = await planStacks(stacks.map((stack) => ({ stack, options })), jobs);
        let violated = false;
        if (policy) {
            const reports = plans.map((p, i) => checkPlan(p, policyConfigs[i].config, policyConfigs[i].file));
            process.stdout.write(reports.map(renderPolicyReport).join("\n"));
            violated = reports.some((r) => mandatoryViolations(r).length > 0);
        } else if (destroy) {
            const orders = plans.map((p) => destroyPlan(p));
            process.stdout.write(json ? JSON.stringify(orders.length === 1 ? orders[0] : orders, null, 2) + "\n" : orders.map(renderDestroy).join("\n"));
        } else if (json) {
            const withGraph = (p: StackPlan) => (graph ? { ...p, graph: { mermaid: renderMermaid(p), dot: renderDot(p) } } : p);
            process.stdout.write(JSON.stringify(plans.length === 1 ? withGraph(plans[0]) : plans.map(withGraph), null, 2) + "\n");
        } else if (graph) {
            for (const p of plans) process.stdout.write(`Dependency graph for stack ${p.stack}\n\n\`\`\`mermaid\n${renderMermaid(p)}\`\`\`\n\n\`\`\`dot\n${renderDot(p)}\`\`\`\n`);
        } else {
            process.stdout.write(plans.map(renderText).join("\n"));
            // A fleet is read at a glance before it is read stack by stack.
            if (all) process.stdout.write(`\n${renderFleetSummary(plans)}`);
        }
        // With every stack in view, check what no single stack can: one owner per GitHub object, one
        // connector per app repo, a CI grant on every cluster an environment runs on.
        const problems = all ? crossStackProblems(loadStacks(path.join(root, "stacks"))) : [];
        for (const p of problems) console.error(`across stacks: ${p}`);
        return problems.length === 0 && !violated ? 0 : 1;
    } catch (e) {
        if (e instanceof InputError || e instanceof SecretsFileError) {
            console.error(e.message);
            return 2;
        }
        if (e instanceof PlanError || e instanceof PolicyConfigError) {
            console.error(e.message);
            return 1;
        }
        if (e instanceof Interrupted) {
            console.error(`interrupted: ${e.message}`);
            return 130;
        }
        throw e;
    }
}

if (require.main === module) {
    // A reader that stops early (`npm run plan -- private | head`) closes the pipe: the plan ends there,
    // quietly, as other command-line tools do, rather than with a stack trace.
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EPIPE") process.exit(0);
        throw e;
    });
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        // A stack whose program fails: its own error output is in the message.
        (e) => {
            console.error(e instanceof Error ? e.message : String(e));
            process.exitCode = 1;
        },
    );
}
