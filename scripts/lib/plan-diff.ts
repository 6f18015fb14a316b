// `npm run plan -- --diff <ref>`: the plan of a stack at a git ref against the working tree's, and the
// temporary checkout of that ref the older side is evaluated in.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { extensionUpgradeNotes, type ExtensionUpgradeNote } from "../../components/flux-versions.ts";
import { SECRET, stripFingerprints, type PlannedResource, type StackPlan } from "./plan-model.ts";
import { TYPES } from "./resource-types.ts";
import { InputError, Interrupted, PlanError } from "./plan-run.ts";

const REPO = path.join(__dirname, "..", "..");

export interface FieldChange {
    readonly path: string;
    /** Secret values show as "[secret]" on both sides; `secretChanged` says the value differs. */
    readonly before: unknown;
    readonly after: unknown;
    readonly secretChanged?: true;
}

export interface ResourceChange {
    readonly key: string;
    /** Changed fields: `inputs.<path>`, `parent`, `provider`, `dependsOn`, `ignoreChanges`. */
    readonly changes: readonly FieldChange[];
}

/** A microsoft.flux extension whose pinned version changes in a way that needs care. */
export interface ExtensionUpgrade {
    readonly key: string;
    /** The pinned version on each side; absent: minor auto-upgrade. */
    readonly from?: string;
    readonly to?: string;
    readonly notes: readonly ExtensionUpgradeNote[];
}

export interface PlanDiff {
    readonly stack: string;
    readonly ref: string;
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly ResourceChange[];
    /** Stack outputs that differ. */
    readonly outputs: readonly FieldChange[];
    /** Extension version changes that skip a required step, cross an API removal, downgrade or (un)pin. */
    readonly extensionUpgrades: readonly ExtensionUpgrade[];
}

/** The pinned version of a microsoft.flux extension, or undefined with auto-upgrade on. */
function pinnedFluxVersion(r: PlannedResource): string | undefined {
    // ARM takes `version` only with minor auto-upgrade off, so the component sends it only for a pin.
    return typeof r.inputs.version === "string" ? r.inputs.version : undefined;
}

/** What each microsoft.flux extension present on both sides goes through to reach its new version. */
function extensionUpgrades(old: ReadonlyMap<string, PlannedResource>, now: ReadonlyMap<string, PlannedResource>): ExtensionUpgrade[] {
    const upgrades: ExtensionUpgrade[] = [];
    for (const [key, r] of now) {
        const o = old.get(key);
        const isFlux = (x: PlannedResource) => x.type === TYPES.extension && x.inputs.extensionType === "microsoft.flux";
        if (!o || !isFlux(o) || !isFlux(r)) continue;
        const [from, to] = [pinnedFluxVersion(o), pinnedFluxVersion(r)];
        const notes = extensionUpgradeNotes(from, to);
        if (notes.length > 0) upgrades.push({ key, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), notes });
    }
    return upgrades;
}

/** Leaf paths of a value: objects by key, arrays of objects by index; scalars and lists of scalars whole. */
function flatten(v: unknown, prefix: string, into: Map<string, unknown>): void {
    const isObject = (x: unknown) => x !== null && typeof x === "object";
    if (isObject(v) && !Array.isArray(v) && Object.keys(v as object).length > 0) {
        for (const [k, x] of Object.entries(v as object)) flatten(x, prefix ? `${prefix}.${k}` : k, into);
    } else if (Array.isArray(v) && v.some(isObject)) {
        v.forEach((x, i) => flatten(x, `${prefix}[${i}]`, into));
    } else {
        into.set(prefix, v);
    }
}

function fieldChanges(before: unknown, after: unknown): FieldChange[] {
    const a = new Map<string, unknown>();
    const b = new Map<string, unknown>();
    flatten(before, "", a);
    flatten(after, "", b);
    const fingerprint = (v: unknown) => typeof v === "string" && /^\[secret [0-9a-f]{16}\]$/.test(v);
    return [...new Set([...a.keys(), ...b.keys()])]
        .sort()
        .filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
        .map((p) => {
            const secretChanged = fingerprint(a.get(p)) && fingerprint(b.get(p));
            return { path: p, before: stripFingerprints(a.get(p)), after: stripFingerprints(b.get(p)), ...(secretChanged ? { secretChanged: true as const } : {}) };
        });
}

/** The plan of `after` against `before`; either side may be missing (a stack added or removed). */
export function diffPlans(stack: string, ref: string, before: StackPlan | undefined, after: StackPlan | undefined): PlanDiff {
    const old = new Map((before?.resources ?? []).map((r) => [r.key, r]));
    const now = new Map((after?.resources ?? []).map((r) => [r.key, r]));
    const shape = (r: PlannedResource) => ({ inputs: r.inputs, parent: r.parent, provider: r.provider, dependsOn: r.dependsOn, ignoreChanges: r.ignoreChanges });
    const changed: ResourceChange[] = [];
    for (const [key, r] of now) {
        const o = old.get(key);
        if (!o) continue;
        const changes = fieldChanges(shape(o), shape(r));
        if (changes.length > 0) changed.push({ key, changes });
    }
    return {
        stack,
        ref,
        added: [...now.keys()].filter((k) => !old.has(k)).sort(),
        removed: [...old.keys()].filter((k) => !now.has(k)).sort(),
        changed,
        outputs: fieldChanges(before?.outputs ?? {}, after?.outputs ?? {}),
        extensionUpgrades: extensionUpgrades(old, now),
    };
}

/**
 * The lines of `after` against `before`, unified-diff style: "- " removed, "+ " added, "  " unchanged
 * lines only next to a change (one line of context). A longest-common-subsequence table: the files
 * compared are a few dozen lines.
 */
export function lineDiff(before: string, after: string): string[] {
    const a = before.replace(/\n$/, "").split("\n");
    const b = after.replace(/\n$/, "").split("\n");
    const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    const ops: { op: " " | "-" | "+"; text: string }[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
        if (i < a.length && j < b.length && a[i] === b[j]) {
            ops.push({ op: " ", text: a[i++] });
            j++;
        } else if (i < a.length && (j >= b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
            ops.push({ op: "-", text: a[i++] });
        } else {
            ops.push({ op: "+", text: b[j++] });
        }
    }
    const changed = (k: number) => ops[k] !== undefined && ops[k].op !== " ";
    const near = (k: number) => changed(k - 1) || changed(k + 1);
    return ops.flatMap((o, k) => (o.op !== " " ? [`${o.op} ${o.text}`] : near(k) ? [`  ${o.text}`] : []));
}

export function renderDiff(d: PlanDiff): string {
    const out = [`Plan diff for stack ${d.stack}: ${d.ref} -> working tree: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`];
    const line = (x: FieldChange) =>
        x.secretChanged ? `${x.path}: ${SECRET} changed` : `${x.path}: ${JSON.stringify(x.before) ?? "(none)"} -> ${JSON.stringify(x.after) ?? "(none)"}`;
    for (const k of d.added) out.push(`  + ${k}`);
    for (const k of d.removed) out.push(`  - ${k}`);
    for (const c of d.changed) {
        out.push(`  ~ ${c.key}`);
        for (const x of c.changes) {
            // A file's text (the platform folder's, a workflow's) as the lines that change.
            if (x.path === "inputs.content" && !x.secretChanged && typeof x.before === "string" && typeof x.after === "string") {
                out.push(`      ${x.path}:`, ...lineDiff(x.before, x.after).map((l) => `        ${l}`));
            } else {
                out.push(`      ${line(x)}`);
            }
        }
    }
    if (d.outputs.length > 0) {
        out.push("  outputs:");
        for (const x of d.outputs) out.push(`      ${line(x)}`);
    }
    // Last, where a reader's eye ends: a skipped step breaks the cluster's Flux, not just this stack.
    for (const u of d.extensionUpgrades) {
        out.push(`  ! ${u.key}: microsoft.flux ${u.from ?? "auto-upgrade"} -> ${u.to ?? "auto-upgrade"}`);
        for (const n of u.notes) out.push(`      ${n.kind}: ${n.message}`);
    }
    return out.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// The checkout of the ref.
// ---------------------------------------------------------------------------------------------

/** A command's stderr as one line. */
const oneLine = (b: Buffer | null | undefined) => (b?.toString() ?? "").trim().split(/\s*\n\s*/).filter(Boolean).join("; ");

/** A checkout of `ref` in the temporary folder `dir`, sharing this checkout's node_modules. */
export function checkout(root: string, ref: string, dir: string): void {
    const archive = spawnSync("git", ["archive", "--format=tar", ref], { cwd: root, maxBuffer: 512 * 1024 * 1024 });
    if (archive.error) throw new PlanError(`--diff ${ref}: git archive failed: ${archive.error.message}`);
    if (archive.signal) throw new Interrupted(`git archive stopped by ${archive.signal}`);
    if (archive.status !== 0) throw new InputError(`--diff ${ref}: git archive failed: ${oneLine(archive.stderr) || `exit ${archive.status}`}`);
    const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout, maxBuffer: 64 * 1024 * 1024 });
    if (untar.signal && !untar.error) throw new Interrupted(`tar stopped by ${untar.signal}`);
    if (untar.error || untar.status !== 0) throw new PlanError(`--diff ${ref}: extracting the checkout failed: ${untar.error?.message ?? oneLine(untar.stderr)}`);
    if (!existsSync(path.join(dir, "node_modules"))) symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
}

/**
 * Runs `work` with a fresh temporary folder and removes the folder on every way out: a result, an
 * error, or a signal. Without a listener, Ctrl-C would kill this process at once, leaving the folder;
 * with one, the folder goes and the process ends with the signal's exit code (the plan children it
 * started are ended on exit by scripts/lib/plan-run.ts).
 */
export async function withTemporaryFolder<T>(work: (dir: string) => Promise<T>): Promise<T> {
    const dir = mkdtempSync(path.join(tmpdir(), "gitops-plan-"));
    const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
    for (const [signal, code] of Object.entries(codes)) {
        process.on(signal, () => {
            rmSync(dir, { recursive: true, force: true });
            process.exit(code);
        });
    }
    try {
        return await work(dir);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
