// Shared test support: run code under Pulumi's mock runtime and record every registration with its
// type, name, inputs, provider, parent and dependencies; resolve outputs; find secrets in inputs.
//
// What these tests do not prove: that ARM, the Kubernetes API or Helm accept the inputs. They prove the
// program sends exactly the inputs, names, providers, parents and ordering the research says are
// right; the CRD schema and chart checks in connector.test.ts go one step further.
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { engineConfig, listStacks, readStackFile } from "../infra/stack-files.ts";

export const PROJECT = "gitops-platform";

export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly custom: boolean;
    /** Inputs as the provider would get them; secrets still wrapped (see isSecretValue). */
    readonly inputs: Record<string, any>;
    /** `<provider urn>::<provider id>`, or "" for a default provider. */
    readonly provider: string;
    /** URN of the parent, "" for a stack-level resource. */
    readonly parent: string;
    /** URNs this resource waits for (dependsOn and inputs from other resources). */
    readonly dependencies: readonly string[];
    readonly ignoreChanges: readonly string[];
    /** When the mock finished creating it (ms since the mocks were installed). */
    readonly createdAt: number;
}

export interface Invocation {
    readonly token: string;
    readonly inputs: Record<string, any>;
    /** When the invoke reached the mock (ms since the mocks were installed). */
    readonly calledAt: number;
}

export type CallHandler = (inputs: Record<string, any>) => Record<string, any>;
export type StateHandler = (r: { type: string; name: string; inputs: Record<string, any> }) => Record<string, any> | undefined;

export interface MockOptions {
    readonly stack?: string;
    readonly preview?: boolean;
    /** `<project>:<key>` -> value; objects are JSON-encoded as the engine does. */
    readonly config?: Record<string, unknown>;
    /** Full keys (`<project>:<key>`) whose values are secrets. */
    readonly secretKeys?: readonly string[];
    /** Invoke results by token. An invoke without a handler fails the test. */
    readonly calls?: Record<string, CallHandler>;
    /** Extra state a resource should return, on top of its inputs. */
    readonly state?: StateHandler;
    /** Milliseconds the mock takes to create a resource, to make ordering observable. */
    readonly delay?: (type: string, name: string) => number;
}

export interface Recorder {
    readonly registrations: Registration[];
    readonly invocations: Invocation[];
    /** URNs of components that called registerOutputs with at least one output. */
    readonly outputsRegistered: Set<string>;
}

/** The invokes every program run makes, answered with fixed, recognisable values. */
export const defaultCalls: Record<string, CallHandler> = {
    "azure-native:authorization:getClientConfig": () => ({
        clientId: "00000000-0000-0000-0000-00000000c11e",
        objectId: "00000000-0000-0000-0000-0000000de910",
        subscriptionId: "11111111-1111-1111-1111-111111111111",
        tenantId: "22222222-2222-2222-2222-222222222222",
    }),
    "azure-native:containerservice:listManagedClusterUserCredentials": (i) => ({
        kubeconfigs: [{ name: "clusterUser", value: Buffer.from(aadKubeconfig(i.resourceName)).toString("base64") }],
    }),
    "azure-native:containerservice:listManagedClusterAdminCredentials": (i) => ({
        kubeconfigs: [{ name: "clusterAdmin", value: Buffer.from(certKubeconfig(i.resourceName)).toString("base64") }],
    }),
    "azure-native:containerservice:getManagedCluster": (i) => ({
        id: `/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/${i.resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/${i.resourceName}`,
        name: i.resourceName,
        location: "westeurope",
        identityProfile: { kubeletidentity: { objectId: "33333333-3333-3333-3333-33333333ku6e", clientId: "c", resourceId: "r" } },
        oidcIssuerProfile: { enabled: true, issuerURL: "https://oidc.example/existing/" },
    }),
    "azure-native:kubernetes:getConnectedCluster": (i) => ({
        id: `/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/${i.resourceGroupName}/providers/Microsoft.Kubernetes/connectedClusters/${i.clusterName}`,
        name: i.clusterName,
        location: "westeurope",
    }),
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
        id: `/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/${i.resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/${i.registryName}`,
        name: i.registryName,
        loginServer: `${i.registryName.toLowerCase()}.azurecr.io`,
    }),
};

/** The kubeconfig AKS hands out for an Entra ID cluster: kubelogin in devicecode mode. */
export function aadKubeconfig(cluster: string): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `- name: ${cluster}`,
        "  cluster:",
        `    server: https://${cluster}.hcp.westeurope.azmk8s.io:443`,
        "contexts:",
        `- name: ${cluster}`,
        "  context:",
        `    cluster: ${cluster}`,
        `    user: clusterUser_rg_${cluster}`,
        `current-context: ${cluster}`,
        "users:",
        `- name: clusterUser_rg_${cluster}`,
        "  user:",
        "    exec:",
        "      apiVersion: client.authentication.k8s.io/v1beta1",
        "      command: kubelogin",
        "      args:",
        "      - get-token",
        "      - --environment",
        "      - AzurePublicCloud",
        "      - --server-id",
        "      - 6dae42f8-4368-4678-94ff-3960e28e3630",
        "      - --client-id",
        "      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a",
        "      - --tenant-id",
        "      - 22222222-2222-2222-2222-222222222222",
        "      - --login",
        "      - devicecode",
        "",
    ].join("\n");
}

export function certKubeconfig(cluster: string): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        `clusters: [{name: ${cluster}, cluster: {server: "https://${cluster}.example:443"}}]`,
        `users: [{name: admin, user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}}]`,
        "",
    ].join("\n");
}

export const SUB = "11111111-1111-1111-1111-111111111111";

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
        default:
            return {};
    }
}

/**
 * Install the mocks and a recorder. Call before importing or constructing anything that registers
 * resources. Each node:test file runs in its own process, so each file calls this once.
 */
export function installMocks(options: MockOptions = {}): Recorder {
    const recorder: Recorder = { registrations: [], invocations: [], outputsRegistered: new Set() };
    const start = Date.now();
    const stack = options.stack ?? "test";
    const calls = { ...defaultCalls, ...(options.calls ?? {}) };
    const pending = new Map<string, { parent: string; dependencies: string[]; ignoreChanges: string[] }>();

    pulumi.runtime.setAllConfig(engineConfig(options.config ?? {}), [...(options.secretKeys ?? [])]);
    pulumi.runtime.setMocks(
        {
            async newResource(args) {
                const wait = options.delay?.(args.type, args.name) ?? 0;
                if (wait > 0) await new Promise((r) => setTimeout(r, wait));
                const meta = pending.get(`${args.type}::${args.name}`) ?? { parent: "", dependencies: [], ignoreChanges: [] };
                const urn = `urn:pulumi:${stack}::${PROJECT}::${args.type}::${args.name}`;
                recorder.registrations.push({
                    type: args.type,
                    name: args.name,
                    urn,
                    custom: args.custom ?? true,
                    inputs: args.inputs,
                    provider: args.provider ?? "",
                    parent: meta.parent,
                    dependencies: meta.dependencies,
                    ignoreChanges: meta.ignoreChanges,
                    createdAt: Date.now() - start,
                });
                const extra = options.state?.({ type: args.type, name: args.name, inputs: args.inputs }) ?? {};
                const state = { ...args.inputs, ...defaultState(args.type, args.name, args.inputs), ...extra };
                const id = options.preview ? undefined : mockId(args.type, args.name);
                return { id, state };
            },
            call(args) {
                recorder.invocations.push({ token: args.token, inputs: args.inputs, calledAt: Date.now() - start });
                const handler = calls[args.token];
                if (!handler) throw new Error(`Mock call not implemented: ${args.token}`);
                return handler(args.inputs);
            },
        },
        PROJECT,
        stack,
        options.preview ?? false,
        "organization",
    );

    // The Mocks interface doesn't see parents or dependencies; the monitor's request does. Wrap the
    // mock monitor's registerResource to note them before the mock's newResource runs.
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        pending.set(`${req.getType()}::${req.getName()}`, {
            parent: req.getParent() ?? "",
            dependencies: req.getDependenciesList() ?? [],
            ignoreChanges: req.getIgnorechangesList() ?? [],
        });
        inflight++;
        return register(req, (err: unknown, res: unknown) => {
            inflight--;
            callback(err, res);
        });
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: any) => {
        const outputs = req.getOutputs()?.toJavaScript() ?? {};
        if (Object.keys(outputs).length > 0) recorder.outputsRegistered.add(req.getUrn());
        return registerOutputs(req, callback);
    };
    return recorder;
}

/** Resolve any Input to its plain value (secrets unwrapped). Never resolves for unknowns. */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
    return new Promise<T>((resolve) => pulumi.output(o).apply((v) => {
        resolve(v as T);
        return v;
    }));
}

/** Registrations sent to the mock monitor and not yet answered. */
let inflight = 0;

/** Wait until every registration the program started has been answered by the mock monitor. */
export async function settle(...resources: pulumi.Resource[]): Promise<void> {
    await Promise.all(resources.map((r) => valueOf(r.urn)));
    // Children register asynchronously after their parent's URN resolves: wait until nothing is in
    // flight and the count of registered resources has stopped moving.
    const monitor = pulumi.runtime.getMonitor() as any;
    let last = -1;
    while (inflight > 0 || monitor.resources.size !== last) {
        last = monitor.resources.size;
        await new Promise((r) => setTimeout(r, 50));
    }
}

/** True for a value the SDK sent as a secret. */
export function isSecretValue(v: unknown): v is { value: any } {
    return (
        typeof v === "object" &&
        v !== null &&
        (v as any)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
    );
}

/** Strip secret wrappers, recursively, to compare plain values. */
export function unwrap(v: any): any {
    if (isSecretValue(v)) return unwrap(v.value);
    if (Array.isArray(v)) return v.map(unwrap);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
    return v;
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

/** The registration whose URN is `urn`. */
export function byUrn(rec: Recorder, urn: string): Registration | undefined {
    return rec.registrations.find((r) => r.urn === urn || urn.endsWith(`::${r.type}::${r.name}`) || urn.endsWith(`$${r.type}::${r.name}`));
}

export function parentOf(rec: Recorder, r: Registration): Registration | undefined {
    return r.parent === "" ? undefined : byUrn(rec, r.parent);
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

/** The URN the mock monitor gave a registration (it prefixes only the immediate parent's type). */
function urnOf(r: Registration): string {
    const parentType = r.parent === "" ? "" : r.parent.split("::")[2].split("$").pop() + "$";
    return r.urn.replace(`::${r.type}::`, `::${parentType}${r.type}::`);
}

/** The provider registration a resource's `provider` reference points at. */
export function providerOf(rec: Recorder, r: Registration): Registration | undefined {
    if (r.provider === "") return undefined;
    const urn = r.provider.split("::").slice(0, -1).join("::");
    return byUrn(rec, urn);
}

// ---------------------------------------------------------------------------------------------
// Running the real entry point for a stack file.
// ---------------------------------------------------------------------------------------------

export const REPO_ROOT = path.join(__dirname, "..");

/** Top-level keys as a stack file would give them: `<project>:<key>` -> the string the engine passes. */
export function projectConfig(values: Record<string, unknown>): Record<string, string> {
    return engineConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`${PROJECT}:${k}`, v])));
}

/** The stacks that ship in stacks/, by file name. */
export function shippedStacks(): string[] {
    return listStacks(path.join(REPO_ROOT, "stacks"));
}

/**
 * A stack file's config as the engine would hand it to the program: `<project>:<key>` -> value.
 * `secure:` values can't be decrypted without the CLI, so they are dropped; tests supply secrets.
 */
export function stackFileConfig(stack: string): Record<string, unknown> {
    return readStackFile(path.join(REPO_ROOT, "stacks"), stack).values;
}

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
 * What the dev stack exports. stack-dev.test.ts asserts the real program produces exactly this, and
 * stack-stage.test.ts serves it as dev's StackReference outputs, so the two can't drift apart.
 */
export const DEV_OUTPUTS = {
    ownerStack: "organization/gitops-platform/dev",
    clusterKind: "aks",
    clusterName: "arc-cicd-cluster",
    clusterResourceGroup: "arc-cicd-demo",
    clusterId: `/subscriptions/${SUB}/mock/arc-cicd-cluster-aks`,
    clusterRp: "Microsoft.ContainerService",
    clusterResourceName: "managedClusters",
    appNamespaces: ["dev", "stage"],
    oidcIssuerUrl: "https://oidc.example/arc-cicd-cluster/",
    registryName: "arccicddemoacr",
    registryLoginServer: "arccicddemoacr.azurecr.io",
    registryId: `/subscriptions/${SUB}/mock/arccicddemoacr-acr`,
    fluxExtensionName: "flux",
    fluxObjects: { "cluster-config": { namespace: "flux-system", gitRepository: "cluster-config", kustomizations: ["cluster-config-cluster-config"] } },
    connectorAddress: "http://gitops-connector.flux-system.svc.cluster.local:8080/gitopsphase",
    githubRepository: "your-github-org/arc-cicd-demo-src",
    githubEnvironment: "az-vote-app-dev",
    ciClientId: "client-of-arc-cicd-demo-src-ci-app",
    ciPrincipalId: "sp-of-arc-cicd-demo-src-ci-sp",
    ciMode: "clientSecret",
};

/** Stack-level resources: the components, a created resource group, the GitHub provider, stack references. */
export const isTopLevel = (r: Registration): boolean =>
    r.type.startsWith("gitops:") ||
    ["azure-native:resources:ResourceGroup", "pulumi:providers:github", "pulumi:pulumi:StackReference"].includes(r.type);
