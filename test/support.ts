// Shared test support, the one module tests import: the mock runtime of scripts/lib/mock-runtime.ts
// with fixed answers for every invoke and resource, and the assertions the tests share. Its parts in
// support/ hold the fixed values (fixtures.ts) and config validation as the program does it (config.ts).
//
// What these tests do not prove: that ARM, the Kubernetes API or Helm accept the inputs. They prove the
// program sends exactly the inputs, names, providers, parents and ordering the research says are
// right; the CRD schema and chart checks in connector.test.ts go one step further.
import * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PROJECT } from "../infra/config.ts";
import { engineConfig } from "../infra/stack-files.ts";
import { isInvokeToken, unknownInvoke, type InvokeResult, type InvokeToken } from "../scripts/lib/invokes.ts";
import {
    byUrn, installRecorder, isSecretValue, parentOf, providerOf, settle, unwrap, urnOf, valueOf, type Invocation, type Recorder, type Registration,
} from "../scripts/lib/mock-runtime.ts";
import { destroyPlan, type DestroyPlan } from "../scripts/lib/plan-destroy.ts";
import { buildPlan } from "../scripts/lib/plan-model.ts";
import { stackFileConfig } from "./support/config.ts";
import { aadKubeconfig, CALLER_OBJECT_ID, POLICY_DEFINITIONS, callerToken, certKubeconfig, REPO_ROOT, SUB } from "./support/fixtures.ts";

export { byUrn, isSecretValue, parentOf, providerOf, settle, unwrap, valueOf, type Invocation, type Recorder, type Registration };

export { PROJECT };
export * from "./support/config.ts";
export * from "./support/fixtures.ts";

export type CallHandler<T extends InvokeToken = InvokeToken> = (inputs: Record<string, any>) => InvokeResult<T>;
export type StateHandler = (r: { type: string; name: string; inputs: Record<string, any> }) => Record<string, any> | undefined;

export interface MockOptions {
    /** The project name the engine reports. Default: the program's, PROJECT. */
    readonly project?: string;
    readonly stack?: string;
    readonly preview?: boolean;
    /** `<project>:<key>` -> value; objects are JSON-encoded as the engine does. */
    readonly config?: Record<string, unknown>;
    /** Full keys (`<project>:<key>`) whose values are secrets. */
    readonly secretKeys?: readonly string[];
    /** Invoke results by token, replacing the default answers. */
    readonly calls?: { readonly [T in InvokeToken]?: CallHandler<T> };
    /** Extra state a resource should return, on top of its inputs. */
    readonly state?: StateHandler;
    /** Milliseconds the mock takes to create a resource, to make ordering observable. */
    readonly delay?: (type: string, name: string) => number;
    /** Who runs `pulumi up`: a person (`az login`, the default) or a service principal (CI). */
    readonly caller?: "user" | "servicePrincipal";
    /**
     * The GitHub token's access to the GitOps repo. GitHub omits the merge settings for tokens without
     * push access, which the provider reports as false and "". Default `push`.
     */
    readonly githubTokenAccess?: "push" | "read";
    /** Further directory objects the role-assignment mock knows, object ID -> type. */
    readonly principals?: Readonly<Record<string, "User" | "Group" | "ServicePrincipal">>;
    /**
     * The file composes several stacks in this one runtime, so their resources share one URN space:
     * the engine's refusal of a repeated URN is off. Default false.
     */
    readonly severalStacks?: boolean;
}

/**
 * Every invoke in scripts/lib/invokes.ts, answered with fixed, recognisable values: one handler per
 * token there, returning its fields (test/invokes.test.ts checks both).
 */
export const defaultCalls: { readonly [T in InvokeToken]: CallHandler<T> } = {
    "azure-native:authorization:getClientConfig": () => ({
        clientId: "00000000-0000-0000-0000-00000000c11e",
        objectId: CALLER_OBJECT_ID,
        subscriptionId: SUB,
        tenantId: "22222222-2222-2222-2222-222222222222",
    }),
    "azure-native:containerservice:listManagedClusterUserCredentials": (i) => ({
        kubeconfigs: [{ name: "clusterUser", value: Buffer.from(aadKubeconfig(i.resourceName)).toString("base64") }],
    }),
    "azure-native:containerservice:listManagedClusterAdminCredentials": (i) => ({
        kubeconfigs: [{ name: "clusterAdmin", value: Buffer.from(certKubeconfig(i.resourceName)).toString("base64") }],
    }),
    "azure-native:containerservice:getManagedCluster": (i) => ({
        id: `/subscriptions/${SUB}/resourceGroups/${i.resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/${i.resourceName}`,
        name: i.resourceName,
        location: "westeurope",
        identityProfile: { kubeletidentity: { objectId: "33333333-3333-3333-3333-33333333ku6e", clientId: "c", resourceId: "r" } },
        oidcIssuerProfile: { enabled: true, issuerURL: "https://oidc.example/existing/" },
    }),
    "azure-native:kubernetes:getConnectedCluster": (i) => ({
        id: `/subscriptions/${SUB}/resourceGroups/${i.resourceGroupName}/providers/Microsoft.Kubernetes/connectedClusters/${i.clusterName}`,
        name: i.clusterName,
        location: "westeurope",
    }),
    "azure-native:authorization:getClientToken": () => ({ token: callerToken("user") }),
    "github:index/getRepository:getRepository": (i) => ({
        id: i.fullName.split("/")[1],
        fullName: i.fullName,
        name: i.fullName.split("/")[1],
        allowMergeCommit: true,
        mergeCommitTitle: "MERGE_MESSAGE",
    }),
    "github:index/getUser:getUser": (i) => ({ id: String(1000 + i.username.length), login: i.username }),
    "github:index/getTeam:getTeam": (i) => ({ id: String(5000 + i.slug.length), slug: i.slug }),
    "azure-native:containerregistry:getRegistry": (i) => ({
        id: `/subscriptions/${SUB}/resourceGroups/${i.resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/${i.registryName}`,
        name: i.registryName,
        loginServer: `${i.registryName.toLowerCase()}.azurecr.io`,
    }),
};

/** The ID the mocks give a resource: ARM-shaped for Azure resources. */
export function mockId(type: string, name: string): string {
    return type.startsWith("azure-native:") ? `/subscriptions/${SUB}/mock/${name}` : `${name}-id`;
}

/** Computed state a real provider would return, for the properties the program reads back. */
function defaultState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
        case "azure-native:containerservice:ManagedCluster":
            return {
                name: inputs.resourceName,
                identityProfile: { kubeletidentity: { objectId: `kubelet-of-${inputs.resourceName}`, clientId: "c", resourceId: "r" } },
                oidcIssuerProfile: { enabled: true, issuerURL: `https://oidc.example/${inputs.resourceName}/` },
            };
        case "azure-native:containerregistry:Registry":
            return { name: inputs.registryName, loginServer: `${String(inputs.registryName).toLowerCase()}.azurecr.io` };
        case "azure-native:resources:ResourceGroup":
            return { name: inputs.resourceGroupName };
        case "azuread:index/application:Application":
            return { clientId: `client-of-${name}` };
        case "azuread:index/applicationPassword:ApplicationPassword":
            return { value: pulumi.secret(`client-secret-of-${name}`) };
        case "tls:index/privateKey:PrivateKey":
            return {
                publicKeyOpenssh: `ecdsa-sha2-nistp384 PUBLIC-KEY-OF-${name}`,
                privateKeyPem: pulumi.secret(`-----BEGIN EC PRIVATE KEY-----\nPRIVATE-KEY-OF-${name}\n-----END EC PRIVATE KEY-----\n`),
            };
        case "azuread:index/servicePrincipal:ServicePrincipal":
            return { objectId: `sp-of-${name}` };
        case "azuread:index/servicePrincipalPassword:ServicePrincipalPassword":
            return { value: pulumi.secret(`password-of-${name}`) };
        case "azure-native:managedidentity:UserAssignedIdentity":
            // ARM names the identity after resourceName and reports its IDs (a service principal's).
            return { name: inputs.resourceName, clientId: `client-of-${name}`, principalId: `sp-of-${name}`, tenantId: "tenant-of-the-identity" };
        case "azure-native:keyvault:Vault":
            return { name: inputs.vaultName };
        case "azure-native:authorization:PolicyAssignment":
            // ARM creates the system-assigned identity with the assignment and reports its principal.
            return inputs.identity?.type === "SystemAssigned" ? { identity: { ...inputs.identity, principalId: `policy-identity-of-${name}`, tenantId: "tenant" } } : {};
        default:
            return {};
    }
}

/**
 * Install the mocks and a recorder. Call before importing or constructing anything that registers
 * resources. Each node:test file runs in its own process, so each file calls this once.
 */
export function installMocks(options: MockOptions = {}): Recorder {
    const caller = options.caller ?? "user";
    const calls: { readonly [T in InvokeToken]: CallHandler<T> } = {
        ...defaultCalls,
        "azure-native:authorization:getClientToken": () => ({ token: callerToken(caller) }),
        ...(options.githubTokenAccess === "read"
            ? {
                  // What the github provider reports when GitHub omits the fields (terraform-provider-github's
                  // data source sets the getters' zero values).
                  "github:index/getRepository:getRepository": (i: Record<string, any>) => ({
                      ...defaultCalls["github:index/getRepository:getRepository"](i),
                      allowMergeCommit: false,
                      mergeCommitTitle: "",
                  }),
              }
            : {}),
        ...(options.calls ?? {}),
    };
    const directory: Record<string, string> = { [CALLER_OBJECT_ID]: caller === "user" ? "User" : "ServicePrincipal", ...(options.principals ?? {}) };
    return installRecorder({
        project: options.project ?? PROJECT,
        stack: options.stack ?? "test",
        organization: "organization",
        preview: options.preview ?? false,
        config: engineConfig(options.config ?? {}),
        secretKeys: options.secretKeys ?? [],
        severalPrograms: options.severalStacks ?? false,
        call: (token, inputs) => {
            if (!isInvokeToken(token)) throw unknownInvoke(token);
            return calls[token](inputs);
        },
        resource: async ({ type, name, inputs }) => {
            if (type === "azure-native:authorization:RoleAssignment") checkPrincipalType(directory, inputs);
            if (type === "azure-native:authorization:PolicyAssignment") checkPolicyAssignment(inputs);
            if (type === "azure-native:keyvault:Secret") checkKeyVaultSecret(inputs);
            const wait = options.delay?.(type, name) ?? 0;
            if (type === "azure-native:managedidentity:FederatedIdentityCredential") await federatedCredentialWrite(inputs, wait);
            else if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            const extra = options.state?.({ type, name, inputs }) ?? {};
            return { id: options.preview ? undefined : mockId(type, name), state: { ...inputs, ...defaultState(type, name, inputs), ...extra } };
        },
    });
}

/**
 * What ARM does with a role assignment whose principalType doesn't match the directory: it refuses it.
 * Kubelet and pull-credential identities and service principals the mocks create are service
 * principals; the caller is whoever the test says; other IDs are looked up in `directory`.
 */
export function checkPrincipalType(directory: Readonly<Record<string, string>>, inputs: Record<string, any>): void {
    const id = unwrap(inputs.principalId);
    if (typeof id !== "string") return;
    const actual = directory[id] ?? (/^(kubelet-of-|sp-of-|policy-identity-of-)/.test(id) || id === "33333333-3333-3333-3333-33333333ku6e" ? "ServicePrincipal" : undefined);
    const stated = unwrap(inputs.principalType);
    if (actual !== undefined && stated !== actual) {
        throw new Error(`UnmatchedPrincipalType: The PrincipalId '${id}' has type '${actual}' , which is different from specified PrinciaplType '${stated}'.`);
    }
}

/**
 * What ARM refuses in a policy assignment of a built-in definition (test/fixtures/policy-definitions.json,
 * recorded from Azure/azure-policy): a parameter the definition doesn't declare, a required one missing,
 * a value of the wrong type or outside allowedValues, an identity without a location, and a name longer
 * than the scope allows (24 characters at a management group, 64 elsewhere).
 */
export function checkPolicyAssignment(inputs: Record<string, any>): void {
    const definitionId = String(unwrap(inputs.policyDefinitionId) ?? "");
    const definition = POLICY_DEFINITIONS.definitions[definitionId.split("/").pop() ?? ""];
    const refuse = (m: string) => {
        throw new Error(`policy assignment ${unwrap(inputs.policyAssignmentName)}: ${m}`);
    };
    if (definition === undefined) refuse(`definition ${definitionId} is not a recorded built-in`);
    const given = (unwrap(inputs.parameters) ?? {}) as Record<string, { value?: unknown }>;
    for (const [name, p] of Object.entries(given)) {
        const declared = definition.parameters[name];
        if (declared === undefined) refuse(`UndefinedPolicyParameter '${name}'`);
        const value = unwrap(p.value);
        const type = Array.isArray(value) ? "array" : typeof value === "number" && Number.isInteger(value) ? "integer" : typeof value;
        if (type !== declared.type) refuse(`parameter '${name}' is ${type}, the definition declares ${declared.type}`);
        if (declared.allowedValues && !declared.allowedValues.includes(value)) refuse(`parameter '${name}' is not one of ${declared.allowedValues.join(", ")}`);
    }
    for (const [name, p] of Object.entries(definition.parameters)) if (p.required && !(name in given)) refuse(`MissingPolicyParameter '${name}'`);
    if (unwrap(inputs.identity) !== undefined && unwrap(inputs.location) === undefined) refuse("an assignment with a managed identity needs a location");
    const scope = String(unwrap(inputs.scope) ?? "");
    const limit = scope.startsWith("/providers/Microsoft.Management/managementGroups/") ? 24 : 64;
    if (String(unwrap(inputs.policyAssignmentName)).length > limit) refuse(`the name is longer than ${limit} characters`);
}

/** What ARM refuses in a Key Vault secret: a name outside its rule, or no value. */
export function checkKeyVaultSecret(inputs: Record<string, any>): void {
    const name = String(unwrap(inputs.secretName) ?? "");
    if (!/^[0-9a-zA-Z-]{1,127}$/.test(name)) throw new Error(`BadParameter: the secret name '${name}' is invalid: 1-127 letters, digits and '-'`);
    const value = unwrap(unwrap(inputs.properties)?.value);
    if (typeof value !== "string" || value === "") throw new Error(`BadParameter: secret ${name} has no value`);
}

/** Federated credentials being written, and written, per identity. */
const federatedWrites = new Map<string, { inFlight: number; total: number }>();

/**
 * What Entra ID does with an identity's federated credentials: it refuses a write while another write to
 * the same identity is in progress (ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity),
 * and more than 20 on one identity. Each write takes `ms` (at least 1), so overlapping writes show.
 */
async function federatedCredentialWrite(inputs: Record<string, any>, ms: number): Promise<void> {
    const identity = `${unwrap(inputs.resourceGroupName)}/${unwrap(inputs.resourceName)}`;
    const w = federatedWrites.get(identity) ?? { inFlight: 0, total: 0 };
    federatedWrites.set(identity, w);
    if (w.inFlight > 0) {
        throw new Error(`ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity: too many federated identity credentials written concurrently for ${identity}`);
    }
    if (w.total >= 20) throw new Error(`FederatedIdentityCredentialsLimitExceeded: ${identity} has 20 federated identity credentials`);
    w.inFlight++;
    await new Promise((r) => setTimeout(r, Math.max(ms, 1)));
    w.inFlight--;
    w.total++;
}

/** Paths (a.b[0].c) at which a plain, unwrapped string contains `needle`. */
export function plainOccurrences(v: any, needle: string, path = ""): string[] {
    if (isSecretValue(v)) return [];
    if (typeof v === "string") return v.includes(needle) ? [path] : [];
    if (Array.isArray(v)) return v.flatMap((x, i) => plainOccurrences(x, needle, `${path}[${i}]`));
    if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => plainOccurrences(x, needle, path ? `${path}.${k}` : k));
    return [];
}

export function find(rec: Recorder, type: string, name?: string): Registration[] {
    return rec.registrations.filter((r) => r.type === type && (name === undefined || r.name === name));
}

export function one(rec: Recorder, type: string, name: string): Registration {
    const found = find(rec, type, name);
    if (found.length !== 1) {
        const seen = rec.registrations.map((r) => `${r.type}::${r.name}`).join("\n  ");
        throw new Error(`expected exactly one ${type}::${name}, found ${found.length}. Registered:\n  ${seen}`);
    }
    return found[0];
}

/** `type::name` pairs registered more than once; the engine would reject each. */
export function duplicates(rec: Recorder): string[] {
    const counts = new Map<string, number>();
    for (const r of rec.registrations) counts.set(`${r.type}::${r.name}`, (counts.get(`${r.type}::${r.name}`) ?? 0) + 1);
    return [...counts].filter(([, n]) => n > 1).map(([k]) => k);
}

/** True when `from` waits for `to`. */
export function dependsOn(rec: Recorder, from: Registration, to: Registration): boolean {
    return from.dependencies.some((d) => byUrn(rec, d) === to);
}

/**
 * The GUIDE's shape, for a whole program run: every resource except the stack-level ones named in
 * `topLevel` is parented to a gitops component, is named `<component name>-<role>`, and every component
 * registers its outputs.
 */
export function assertWellFormedTree(rec: Recorder, topLevel: (r: Registration) => boolean): void {
    for (const r of rec.registrations) {
        if (r.type.startsWith("gitops:")) {
            if (!rec.outputsRegistered.has(urnOf(r))) {
                throw new Error(`component ${r.type}::${r.name} registered no outputs`);
            }
        }
        if (topLevel(r)) {
            if (r.parent !== "") throw new Error(`${r.type}::${r.name} should be top-level`);
            continue;
        }
        const parent = parentOf(rec, r);
        if (!parent || !parent.type.startsWith("gitops:")) throw new Error(`${r.type}::${r.name} is not parented to a gitops component`);
        if (!r.name.startsWith(`${parent.name}-`)) throw new Error(`${r.type}::${r.name} is not named from its component ${parent.name}`);
    }
}

// ---------------------------------------------------------------------------------------------
// Running the real entry point for a stack file.
// ---------------------------------------------------------------------------------------------

export interface StackRun {
    readonly rec: Recorder;
    /** The stack outputs, resolved (secrets unwrapped). */
    readonly outputs: Record<string, any>;
    /** Stack outputs that are secrets. */
    readonly secretOutputs: readonly string[];
}

/**
 * Run infra/index.ts for a stack file under the mocks, with `secrets` set as secret config (as
 * `pulumi config set --secret` would). One stack per process: the entry module runs once.
 */
export async function runStack(
    stack: string,
    secrets: Record<string, string>,
    options: Omit<MockOptions, "stack" | "config" | "secretKeys"> & { readonly config?: Record<string, unknown> } = {},
): Promise<StackRun> {
    const config = { ...stackFileConfig(stack), ...(options.config ?? {}) };
    for (const [k, v] of Object.entries(secrets)) config[`${PROJECT}:${k}`] = v;
    const rec = installMocks({
        ...options,
        stack,
        config,
        secretKeys: Object.keys(secrets).map((k) => `${PROJECT}:${k}`),
    });
    const mod = await import("../infra/index.ts");
    const exported = (mod.default ?? mod) as unknown as Record<string, pulumi.Input<unknown>>;
    const outputs: Record<string, any> = {};
    const secretOutputs: string[] = [];
    for (const [k, v] of Object.entries(exported)) {
        if (options.preview) continue;
        outputs[k] = await valueOf(v);
        if (await pulumi.isSecret(pulumi.output(v))) secretOutputs.push(k);
    }
    await settle();
    return { rec, outputs, secretOutputs };
}

/**
 * What `npm run plan -- <stack> --destroy` prints, as data, from an in-process run: its graph is the
 * one the offline plan records, without a process of its own.
 */
export async function destroyPlanOf(stack: string, rec: Recorder): Promise<DestroyPlan> {
    return destroyPlan(await buildPlan(stack, "organization", rec, {}, []));
}

/** `type::name` of every registration with a `deletedWith`, sorted, to the `type::name` it goes with. */
export function deletedWithKeys(rec: Recorder): Record<string, string> {
    const set = rec.registrations.filter((r) => r.deletedWith !== "").sort((a, b) => `${a.type}::${a.name}`.localeCompare(`${b.type}::${b.name}`));
    return Object.fromEntries(set.map((r) => {
        const to = byUrn(rec, r.deletedWith);
        return [`${r.type}::${r.name}`, to ? `${to.type}::${to.name}` : `(unregistered ${r.deletedWith})`];
    }));
}

/** Stack-level resources: the components, a created resource group, the GitHub provider, stack references. */
export const isTopLevel = (r: Registration): boolean =>
    r.type.startsWith("gitops:") ||
    ["azure-native:resources:ResourceGroup", "pulumi:providers:github", "pulumi:pulumi:StackReference"].includes(r.type);

// ---------------------------------------------------------------------------------------------
// The offline plan's command line (test/plan.test.ts, test/plan-cli.test.ts).
// ---------------------------------------------------------------------------------------------

/** `npm run plan -- <args>` in `cwd`, as a child process. */
export function runPlan(args: string[], cwd = REPO_ROOT, env: NodeJS.ProcessEnv = process.env) {
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(cwd, "scripts", "plan.ts"), ...args], { encoding: "utf8", cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratchDirs: string[] = [];
process.once("exit", () => {
    for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
});

/**
 * A git repository holding a copy of the working tree (tracked and untracked files), committed once;
 * removed when the test process exits.
 */
export function scratchRepo(): string {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-repo-"));
    scratchDirs.push(dir);
    const files = spawnSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" }).stdout.split("\n")
        .filter((f) => f && existsSync(path.join(REPO_ROOT, f))); // ls-files still lists a tracked file deleted from the tree
    for (const f of files) {
        mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
    }
    symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    const git = (...a: string[]) => spawnSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...a], { cwd: dir, encoding: "utf8" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "base");
    return dir;
}
