// The token table in docs/deploying.md against what the program and the connector call. Every GitHub resource and
// lookup the shipped stacks make needs a permission, which the provider token's row must grant on the
// right repo; the connector's row must grant exactly what its calls need, on the repos its values name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { connectorValues } from "../components/connector.ts";
import { createPlatform } from "../infra/platform.ts";
import { DEV_OUTPUTS, installMocks, parseShippedStack, REPO_ROOT, settle, shippedStacks } from "./support.ts";

const rec = installMocks({
    severalStacks: true,
    state: ({ type }) => (type === "pulumi:pulumi:StackReference" ? { outputs: DEV_OUTPUTS, secretOutputNames: [] } : undefined),
});

/** The token table under "GitHub tokens": token name -> [what it calls, permissions]. */
function tokenTable(): Record<string, { calls: string; permissions: string }> {
    const doc = readFileSync(path.join(REPO_ROOT, "docs", "deploying.md"), "utf8");
    const section = /^## GitHub tokens\n([\s\S]*?)^## /m.exec(doc)![1];
    const rows = section.split("\n").filter((l) => /^\s*\| /.test(l) && !/^\s*\| (Token|---)/.test(l));
    return Object.fromEntries(
        rows.map((l) => {
            const cells = l.trim().slice(1, -1).split(" | ").map((c) => c.trim());
            return [cells[0], { calls: cells[2], permissions: cells[3] }];
        }),
    );
}

/**
 * What each GitHub resource or lookup needs (GitHub's REST reference, fine-grained permissions), and on
 * which repo the program uses it: `app` for github.appRepo, `gitops` for the Flux configuration's repo.
 */
const NEEDS: Record<string, { repo: "app" | "gitops" | "org" | "none"; permission: string }> = {
    "github:index/actionsSecret:ActionsSecret": { repo: "app", permission: "Secrets read and write" },
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": { repo: "app", permission: "Environments read and write" },
    "github:index/repositoryEnvironment:RepositoryEnvironment": { repo: "app", permission: "Administration read and write" },
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": { repo: "app", permission: "Administration read and write" },
    "github:index/actionsRepositoryPermissions:ActionsRepositoryPermissions": { repo: "app", permission: "Administration read and write" },
    "github:index/workflowRepositoryPermissions:WorkflowRepositoryPermissions": { repo: "app", permission: "Administration read and write" },
    "github:index/repositoryDeployKey:RepositoryDeployKey": { repo: "gitops", permission: "Administration read and write" },
    // With github.gitopsRepo.governance (prod).
    "github:index/repositoryRuleset:RepositoryRuleset": { repo: "gitops", permission: "Administration read and write" },
    "github:index/repository:Repository": { repo: "gitops", permission: "Administration read and write" },
    "github:index/repositoryFile:RepositoryFile": { repo: "gitops", permission: "Workflows read and write" },
    "github:index/getRepository:getRepository": { repo: "gitops", permission: "Metadata read" },
    "github:index/getTeam:getTeam": { repo: "org", permission: "Members read" },
    "github:index/getUser:getUser": { repo: "none", permission: "" },
};

/** The part of a permissions cell about one repo: from "<Repo> repo:" to the next repo's label. */
function grantsOn(cell: string, repo: "app" | "gitops" | "org"): string {
    const label = { app: /app repo:/i, gitops: /GitOps repo:/, org: /Organization:/ }[repo];
    const m = label.exec(cell);
    if (!m) return "";
    const rest = cell.slice(m.index + m[0].length);
    const next = /(app repo:|GitOps repo:|Organization:)/i.exec(rest);
    return next ? rest.slice(0, next.index) : rest;
}

test("the provider token's row grants what every GitHub resource and lookup of the shipped stacks needs, on the right repo", async () => {
    for (const stack of shippedStacks()) {
        createPlatform(parseShippedStack(stack), (k) => pulumi.secret(`secret-${k}`));
    }
    await settle();
    const used = new Set([
        ...rec.registrations.filter((r) => r.type.startsWith("github:index/")).map((r) => r.type),
        ...rec.invocations.filter((i) => i.token.startsWith("github:index/")).map((i) => i.token),
    ]);
    const row = tokenTable()["GitHub provider token (`pulumi up`)"];
    assert.ok(row, "the provider token's row");
    for (const type of used) {
        const need = NEEDS[type];
        assert.ok(need, `no known permission for ${type}: add it to NEEDS and to docs/deploying.md`);
        if (need.repo === "none") continue;
        assert.ok(grantsOn(row.permissions, need.repo).includes(need.permission), `${type} needs ${need.permission} on the ${need.repo} repo`);
    }
    assert.ok(used.size >= 8, [...used].join(", "));
    // The preview token writes nothing.
    assert.doesNotMatch(tokenTable()["Preview token (`pulumi preview` in pull requests)"].permissions, /write(?!,? so)/);
});

test("the connector PAT's row grants exactly what the connector calls, on the repos its chart values name", () => {
    // Which repo gets what, as the chart values send the connector: statuses on the manifests repo,
    // repository_dispatch on the app repo.
    const values = connectorValues({ mode: "GITHUB", owner: "o", appRepo: "app", gitopsRepo: "gitops" });
    assert.equal(values.gitHubGitOpsManifestsRepoName, "gitops");
    assert.equal(values.gitHubGitOpsRepoName, "app");
    const row = tokenTable()["`connectorPat`"];
    // Calls of image 1.2.1 in GITHUB mode (src/repositories/github_git_repository.py,
    // src/orchestrators/github_cicd_orchestrator.py) and the permission each needs.
    for (const call of ["`GET /commits/{sha}/status`", "`POST /statuses/{sha}`", "`GET /commits/{sha}`", "`POST /dispatches`"]) {
        assert.ok(row.calls.includes(call), call);
    }
    assert.equal(grantsOn(row.permissions, "gitops").trim(), "Commit statuses read and write, Contents read, Metadata read.");
    assert.match(grantsOn(row.permissions, "app"), /^ Contents read and write \(what `repository_dispatch` needs\), Metadata read\./);
});
