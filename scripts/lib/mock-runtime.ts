// A Pulumi program run under the SDK's mock runtime that records what it registers: each resource's
// type, name, inputs, provider, parent and dependencies, and each invoke. The offline plan
// (scripts/plan.ts) and the tests (test/support.ts) both run the real program through it; what a
// resource or invoke "returns" is theirs to decide.
import * as pulumi from "@pulumi/pulumi";

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
    /** Pulumi `replaceOnChanges`: a change to these properties replaces the resource. */
    readonly replaceOnChanges: readonly string[];
    /** Pulumi `protect`: the engine refuses to delete or replace it. */
    readonly protect: boolean;
    /** Pulumi `retainOnDelete`: a delete only drops it from the state; the object stays. */
    readonly retainOnDelete: boolean;
    /** URN of the resource it is deleted with (Pulumi `deletedWith`), or "" for none. */
    readonly deletedWith: string;
    /** When the mock finished creating it (ms since the mocks were installed). */
    readonly createdAt: number;
}

export interface Invocation {
    readonly token: string;
    readonly inputs: Record<string, any>;
    /** When the invoke reached the mock (ms since the mocks were installed). */
    readonly calledAt: number;
}

export interface Recorder {
    readonly registrations: Registration[];
    readonly invocations: Invocation[];
    /** URNs of components that called registerOutputs with at least one output. */
    readonly outputsRegistered: Set<string>;
}

/** What a mock resource returns: its ID (undefined: not known yet, as in a preview) and state. */
export interface MockResult {
    readonly id: string | undefined;
    readonly state: Record<string, any>;
}

export interface RuntimeOptions {
    readonly project: string;
    readonly stack: string;
    readonly organization: string;
    /** Preview: outputs the mock doesn't return are unknown, as in `pulumi preview`. */
    readonly preview: boolean;
    /** `<project>:<key>` -> value as the engine passes it (a string). */
    readonly config: Record<string, string>;
    /** Full config keys whose values are secrets. */
    readonly secretKeys: readonly string[];
    /** Answer an invoke; throw for one the caller doesn't expect. */
    readonly call: (token: string, inputs: Record<string, any>) => Record<string, any>;
    /** Create a resource. */
    readonly resource: (r: { type: string; name: string; inputs: Record<string, any> }) => MockResult | Promise<MockResult>;
    /**
     * Several programs share this runtime (one URN space): a test composing several stacks in one
     * process, which no engine run does. Default false: a second resource with a URN fails, as in the engine.
     */
    readonly severalPrograms?: boolean;
}

/** Registrations sent to the mock monitor and not yet answered. */
let inflight = 0;

/**
 * Install the mock runtime and a recorder. Call before the program registers anything; the runtime is
 * process-wide, so one program run per process.
 */
export function installRecorder(o: RuntimeOptions): Recorder {
    const recorder: Recorder = { registrations: [], invocations: [], outputsRegistered: new Set() };
    const start = Date.now();
    const pending = new Map<string, { parent: string; dependencies: string[]; ignoreChanges: string[]; replaceOnChanges: string[]; protect: boolean; retainOnDelete: boolean; deletedWith: string }>();

    pulumi.runtime.setAllConfig(o.config, [...o.secretKeys]);
    pulumi.runtime.setMocks(
        {
            async newResource(args) {
                const result = await o.resource({ type: args.type, name: args.name, inputs: args.inputs });
                const meta = pending.get(`${args.type}::${args.name}`) ?? { parent: "", dependencies: [], ignoreChanges: [], replaceOnChanges: [], protect: false, retainOnDelete: false, deletedWith: "" };
                recorder.registrations.push({
                    type: args.type,
                    name: args.name,
                    urn: `urn:pulumi:${o.stack}::${o.project}::${args.type}::${args.name}`,
                    custom: args.custom ?? true,
                    inputs: args.inputs,
                    provider: args.provider ?? "",
                    parent: meta.parent,
                    dependencies: meta.dependencies,
                    ignoreChanges: meta.ignoreChanges,
                    replaceOnChanges: meta.replaceOnChanges,
                    protect: meta.protect,
                    retainOnDelete: meta.retainOnDelete,
                    deletedWith: meta.deletedWith,
                    createdAt: Date.now() - start,
                });
                return { id: result.id, state: result.state };
            },
            call(args) {
                recorder.invocations.push({ token: args.token, inputs: args.inputs, calledAt: Date.now() - start });
                return o.call(args.token, args.inputs);
            },
        },
        o.project,
        o.stack,
        o.preview,
        o.organization,
    );

    // The Mocks interface doesn't see parents, dependencies or deletedWith; the monitor's request does. Wrap the
    // mock monitor's registerResource to note them before the mock's newResource runs.
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    // The engine refuses a second resource with the same URN (type, name and parent); the mock monitor
    // would quietly let it overwrite the first.
    const urns = new Set<string>();
    monitor.registerResource = (req: any, callback: any) => {
        const urn: string = monitor.newUrn(req.getParent(), req.getType(), req.getName());
        if (urns.has(urn) && !o.severalPrograms) return callback(new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`), undefined);
        urns.add(urn);
        pending.set(`${req.getType()}::${req.getName()}`, {
            parent: req.getParent() ?? "",
            dependencies: req.getDependenciesList() ?? [],
            ignoreChanges: req.getIgnorechangesList() ?? [],
            replaceOnChanges: req.getReplaceonchangesList?.() ?? [],
            protect: req.getProtect?.() === true,
            retainOnDelete: req.getRetainondelete?.() === true,
            deletedWith: req.getDeletedwith?.() ?? "",
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

export function byUrn(rec: Recorder, urn: string): Registration | undefined {
    return rec.registrations.find((r) => r.urn === urn || urn.endsWith(`::${r.type}::${r.name}`) || urn.endsWith(`$${r.type}::${r.name}`));
}

export function parentOf(rec: Recorder, r: Registration): Registration | undefined {
    return r.parent === "" ? undefined : byUrn(rec, r.parent);
}

/** The provider registration a resource's `provider` reference points at. */
export function providerOf(rec: Recorder, r: Registration): Registration | undefined {
    if (r.provider === "") return undefined;
    const urn = r.provider.split("::").slice(0, -1).join("::");
    return byUrn(rec, urn);
}


/** The URN the mock monitor gave a registration (it prefixes only the immediate parent's type). */
export function urnOf(r: Registration): string {
    const parentType = r.parent === "" ? "" : r.parent.split("::")[2].split("$").pop() + "$";
    return r.urn.replace(`::${r.type}::`, `::${parentType}${r.type}::`);
}

