// The microsoft.flux releases this program knows, the window Microsoft supports, and what an upgrade
// from one pinned version to another must go through. Pure data and functions: the Flux component and
// the stack config refuse a pin outside the window, and `npm run plan -- --diff` reads the upgrade notes.

/** Microsoft Learn's release notes for the extension: the source of every row below. */
export const FLUX_EXTENSION_RELEASE_NOTES = "https://learn.microsoft.com/azure/azure-arc/kubernetes/flux-gitops-release-notes";

/** The notes' section on the APIs 1.23.0 removed, with the interim step it requires. */
const API_REMOVAL_NOTICE = `${FLUX_EXTENSION_RELEASE_NOTES}#deprecation-and-removal-notice-changes-to-microsoftflux-extension`;

export interface FluxExtensionRelease {
    /** The extension version, as `flux.extension.version` pins it. */
    readonly version: string;
    /** Year and month of the release notes' heading. */
    readonly released: string;
    /** The upstream Flux release it ships (fluxcd/flux2). */
    readonly flux: string;
    /** Kubernetes API versions (group/version) this release stopped serving. */
    readonly removedApis: readonly string[];
    /** A cluster must run at least this version before it moves to this one. */
    readonly requiresAtLeast?: string;
    /** Where the row comes from. */
    readonly source: string;
}

/** Flux 2.7's removals, as the notes list them (fluxcd/flux2#5572). Notification v1beta2 is still served. */
const FLUX_2_7_REMOVED_APIS = [
    "source.toolkit.fluxcd.io/v1beta1",
    "source.toolkit.fluxcd.io/v1beta2",
    "kustomize.toolkit.fluxcd.io/v1beta1",
    "kustomize.toolkit.fluxcd.io/v1beta2",
    "helm.toolkit.fluxcd.io/v2beta1",
    "helm.toolkit.fluxcd.io/v2beta2",
    "notification.toolkit.fluxcd.io/v1beta1",
    "image.toolkit.fluxcd.io/v1beta1",
] as const;

const release = (version: string, released: string, flux: string, more: Partial<FluxExtensionRelease> = {}): FluxExtensionRelease => ({
    version, released, flux, removedApis: [], source: FLUX_EXTENSION_RELEASE_NOTES, ...more,
});

/**
 * Every release in the notes (revision of 10 August 2026), newest first. 1.23.2 was never published.
 * A new release goes here, with its notes, before a stack can pin it.
 */
export const FLUX_EXTENSION_RELEASES: readonly FluxExtensionRelease[] = [
    release("1.24.1", "2026-08", "2.7.5"),
    release("1.24.0", "2026-07", "2.7.5"),
    release("1.23.3", "2026-07", "2.7.5"),
    release("1.23.1", "2026-06", "2.7.5"),
    // "Clusters must be running version 1.21.0 or higher in order to subsequently upgrade to version
    // 1.23.0": 1.21.0 migrates the objects stored at the deprecated versions before 1.23.0 drops them.
    release("1.23.0", "2026-06", "2.7.5", { removedApis: FLUX_2_7_REMOVED_APIS, requiresAtLeast: "1.21.0", source: API_REMOVAL_NOTICE }),
    release("1.22.2", "2026-05", "2.6.4"),
    release("1.22.1", "2026-05", "2.6.4"),
    release("1.21.1", "2026-04", "2.6.4"),
    release("1.21.0", "2026-04", "2.6.4"),
    release("1.20.4", "2026-03", "2.6.4"),
    release("1.19.5", "2026-02", "2.6.4"),
];

/**
 * "The most recent version … and the two previous versions (N-2) are supported": read literally, as
 * releases, not minor lines. The strict reading is the safe one for a guardrail: a pin it refuses is one
 * Microsoft may not support.
 */
export const SUPPORTED_RELEASES = 3;

const parts = (v: string) => v.split(".").map(Number);

/** Negative, zero or positive as `a` is older than, the same as or newer than `b` (x.y.z versions). */
export function compareVersions(a: string, b: string): number {
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const d = (x[i] ?? 0) - (y[i] ?? 0);
        if (d !== 0) return d;
    }
    return 0;
}

export function fluxExtensionRelease(version: string): FluxExtensionRelease | undefined {
    return FLUX_EXTENSION_RELEASES.find((r) => r.version === version);
}

/** The newest release in the table. */
export const NEWEST_FLUX_EXTENSION_VERSION = FLUX_EXTENSION_RELEASES[0].version;

/** The versions a stack may pin: the table's newest three releases, oldest first. */
export const SUPPORTED_FLUX_EXTENSION_VERSIONS: readonly string[] = FLUX_EXTENSION_RELEASES.slice(0, SUPPORTED_RELEASES)
    .map((r) => r.version)
    .reverse();

/** The window in words, for messages and docs. */
export function supportedWindow(): string {
    const v = SUPPORTED_FLUX_EXTENSION_VERSIONS;
    return `the newest ${SUPPORTED_RELEASES} releases, ${v.join(", ")}`;
}

/**
 * Why a pinned version can't be used, or nothing: it must be a release in the table, of one of the
 * newest three releases. An unknown version is refused too: nothing says what it removed.
 */
export function extensionVersionProblem(version: string): string | undefined {
    if (SUPPORTED_FLUX_EXTENSION_VERSIONS.includes(version)) return undefined;
    const window = `the supported window is ${supportedWindow()}; the newest is ${NEWEST_FLUX_EXTENSION_VERSION}`;
    if (fluxExtensionRelease(version) === undefined) {
        return `${version} is not a microsoft.flux release this program knows (its table is in components/flux-versions.ts, from ${FLUX_EXTENSION_RELEASE_NOTES}); ${window}`;
    }
    return `${version} is outside Microsoft's support window for microsoft.flux: ${window}`;
}

/** The API versions no longer served once a cluster runs `version`, by the releases in the table. */
export function apisRemovedBy(version: string): string[] {
    return FLUX_EXTENSION_RELEASES.filter((r) => compareVersions(r.version, version) <= 0).flatMap((r) => r.removedApis);
}

export type ExtensionUpgradeNoteKind = "skipped-step" | "removed-apis" | "downgrade" | "pinned" | "unpinned";

export interface ExtensionUpgradeNote {
    readonly kind: ExtensionUpgradeNoteKind;
    readonly message: string;
}

const label = (v: string) => {
    const r = fluxExtensionRelease(v);
    return r ? `${v} (Flux ${r.flux})` : v;
};

/** The releases crossed going up from `from` (excluded) to `to` (included), oldest first. */
const crossed = (from: string, to: string) =>
    FLUX_EXTENSION_RELEASES.filter((r) => compareVersions(r.version, from) > 0 && compareVersions(r.version, to) <= 0).reverse();

/**
 * The versions that satisfy a step: at least its requirement, older than the release that needs it.
 * A stack may pin only supported versions, so an interim one outside the window is installed out of band.
 */
function interim(step: FluxExtensionRelease): string {
    const ok = FLUX_EXTENSION_RELEASES.filter((r) => compareVersions(r.version, step.requiresAtLeast!) >= 0 && compareVersions(r.version, step.version) < 0);
    const newest = ok[0]?.version ?? step.requiresAtLeast!;
    const range = ok.length > 1 ? ` (any of ${ok[ok.length - 1].version} to ${newest} will do)` : "";
    if (SUPPORTED_FLUX_EXTENSION_VERSIONS.includes(newest)) return `pin ${newest}${range} and run pulumi up`;
    return (
        `move the extension to ${newest}${range} with az k8s-extension update --version ${newest} ` +
        `(outside the supported window, so no stack may pin it)`
    );
}

/** Going up from `from` to `to`: the steps skipped and the APIs removed on the way; `then` is the last step. */
function upgradeNotes(from: string, to: string, toLabel: string, then: string): ExtensionUpgradeNote[] {
    const notes: ExtensionUpgradeNote[] = [];
    for (const r of crossed(from, to)) {
        if (r.requiresAtLeast !== undefined && compareVersions(from, r.requiresAtLeast) < 0) {
            notes.push({
                kind: "skipped-step",
                message:
                    `${label(from)} -> ${toLabel} skips a required step: a cluster must run ${r.requiresAtLeast} or later before it moves to ${r.version} (${r.source}). ` +
                    `Upgrade in two steps: first ${interim(r)}, then ${then}`,
            });
        }
        if (r.removedApis.length > 0) {
            notes.push({
                kind: "removed-apis",
                message:
                    `${label(from)} -> ${toLabel} crosses ${r.version}, which stops serving ${r.removedApis.join(", ")}: ` +
                    `move every manifest the Flux configurations apply off those versions before this deploys (${r.source})`,
            });
        }
    }
    return notes;
}

/**
 * What a change of the extension's pinned version means, from `from` to `to`; `undefined` on a side
 * is minor auto-upgrade (no pin). Nothing when the version stays or only moves within what needs no care.
 */
export function extensionUpgradeNotes(from: string | undefined, to: string | undefined): ExtensionUpgradeNote[] {
    if (from === to) return [];
    const newest = NEWEST_FLUX_EXTENSION_VERSION;
    if (from === undefined) {
        const steps = FLUX_EXTENSION_RELEASES.filter((r) => r.requiresAtLeast !== undefined && compareVersions(r.version, to!) <= 0);
        const below = steps.map((r) => `from below ${r.requiresAtLeast} a pin of ${to} skips the step ${r.version} requires: ${interim(r)} first`);
        return [{
            kind: "pinned",
            message:
                `auto-upgrade -> ${label(to!)}: the cluster runs whatever its release train installed, which no plan can see; ` +
                `check it with az k8s-extension show --name <extension> --query version before deploying. ` +
                [`A pin below it is a downgrade`, ...below].join("; ") + `. With a pin, Azure stops upgrading the extension: bump the pin before it leaves the supported window`,
        }];
    }
    if (to === undefined) {
        return [
            {
                kind: "unpinned",
                message: `${label(from)} -> auto-upgrade: Azure moves the extension up its release train on its own schedule, to ${newest} or newer, and this plan no longer sees the version`,
            },
            ...upgradeNotes(from, newest, `auto-upgrade (${newest})`, "remove the pin"),
        ];
    }
    if (compareVersions(to, from) < 0) {
        return [{
            kind: "downgrade",
            message:
                `${label(from)} -> ${label(to)} is a downgrade, which Microsoft's release notes don't describe; ` +
                `prefer pinning a newer supported version, or try the downgrade on a cluster you can rebuild first`,
        }];
    }
    return upgradeNotes(from, to, label(to), `pin ${to}`);
}
