// The microsoft.flux release table, the supported window a pinned version must be in (refused by the
// component and by the stack config), and the upgrade notes `npm run plan -- --diff` prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Flux, fluxExtensionProblems } from "../components/flux.ts";
import {
    apisRemovedBy, compareVersions, extensionUpgradeNotes, extensionVersionProblem, FLUX_EXTENSION_RELEASE_NOTES, FLUX_EXTENSION_RELEASES, fluxExtensionRelease,
    NEWEST_FLUX_EXTENSION_VERSION, SUPPORTED_FLUX_EXTENSION_VERSIONS,
} from "../components/flux-versions.ts";
import { NOTIFICATION_API_VERSION } from "../components/notifications.ts";
import { diffPlans, renderDiff } from "../scripts/lib/plan-diff.ts";
import type { PlannedResource, StackPlan } from "../scripts/lib/plan-model.ts";
import { installMocks, minimalStack, parseShippedStack, settle, shippedStacks, testStackProblems } from "./support.ts";

const rec = installMocks();

const NOTICE = `${FLUX_EXTENSION_RELEASE_NOTES}#deprecation-and-removal-notice-changes-to-microsoftflux-extension`;
const WINDOW = "the supported window is the newest 3 releases, 1.23.3, 1.24.0, 1.24.1; the newest is 1.24.1";
const FLUX_2_7_REMOVED = [
    "source.toolkit.fluxcd.io/v1beta1", "source.toolkit.fluxcd.io/v1beta2", "kustomize.toolkit.fluxcd.io/v1beta1", "kustomize.toolkit.fluxcd.io/v1beta2",
    "helm.toolkit.fluxcd.io/v2beta1", "helm.toolkit.fluxcd.io/v2beta2", "notification.toolkit.fluxcd.io/v1beta1", "image.toolkit.fluxcd.io/v1beta1",
];

test("the table: the releases in Microsoft's notes, newest first, with their Flux versions, removals and the 1.21.0 step", () => {
    assert.deepEqual(
        FLUX_EXTENSION_RELEASES.map((r) => [r.version, r.flux]),
        [
            ["1.24.1", "2.7.5"], ["1.24.0", "2.7.5"], ["1.23.3", "2.7.5"], ["1.23.1", "2.7.5"], ["1.23.0", "2.7.5"],
            ["1.22.2", "2.6.4"], ["1.22.1", "2.6.4"], ["1.21.1", "2.6.4"], ["1.21.0", "2.6.4"], ["1.20.4", "2.6.4"], ["1.19.5", "2.6.4"],
        ],
    );
    for (let i = 1; i < FLUX_EXTENSION_RELEASES.length; i++) {
        assert.ok(compareVersions(FLUX_EXTENSION_RELEASES[i - 1].version, FLUX_EXTENSION_RELEASES[i].version) > 0, "newest first, no duplicates");
    }
    for (const r of FLUX_EXTENSION_RELEASES) assert.ok(r.source.startsWith(FLUX_EXTENSION_RELEASE_NOTES), `${r.version} has a source`);
    assert.deepEqual(
        FLUX_EXTENSION_RELEASES.filter((r) => r.removedApis.length > 0 || r.requiresAtLeast !== undefined),
        [{ version: "1.23.0", released: "2026-06", flux: "2.7.5", removedApis: FLUX_2_7_REMOVED, requiresAtLeast: "1.21.0", source: NOTICE }],
    );
    assert.equal(NEWEST_FLUX_EXTENSION_VERSION, "1.24.1");
    assert.equal(fluxExtensionRelease("1.23.2"), undefined, "never published");
    assert.deepEqual([compareVersions("1.9.0", "1.10.0") < 0, compareVersions("1.24.1", "1.24.1"), compareVersions("2.0.0", "1.99.9") > 0], [true, 0, true]);
});

test("every supported version serves the notification API the program applies, and none before 1.23.0 lost anything", () => {
    for (const v of SUPPORTED_FLUX_EXTENSION_VERSIONS) assert.ok(!apisRemovedBy(v).includes(NOTIFICATION_API_VERSION), v);
    assert.deepEqual(apisRemovedBy("1.22.2"), []);
    assert.deepEqual(apisRemovedBy("1.24.1"), FLUX_2_7_REMOVED);
});

test("the window: the newest three releases of the table; older or unknown versions are refused with the window and the newest", () => {
    assert.deepEqual(SUPPORTED_FLUX_EXTENSION_VERSIONS, ["1.23.3", "1.24.0", "1.24.1"]);
    for (const v of SUPPORTED_FLUX_EXTENSION_VERSIONS) assert.equal(extensionVersionProblem(v), undefined, v);
    assert.equal(extensionVersionProblem("1.21.1"), `1.21.1 is outside Microsoft's support window for microsoft.flux: ${WINDOW}`);
    assert.equal(
        extensionVersionProblem("1.24.2"),
        `1.24.2 is not a microsoft.flux release this program knows (its table is in components/flux-versions.ts, from ${FLUX_EXTENSION_RELEASE_NOTES}); ${WINDOW}`,
    );
    // The shape first: a malformed pin gets the pattern's message alone.
    assert.deepEqual(fluxExtensionProblems({ version: "1.24" }), [{ path: ["version"], message: "expected a version such as 1.24.1" }]);
    assert.deepEqual(fluxExtensionProblems({ version: "1.20.4" }), [{ path: ["version"], message: `1.20.4 is outside Microsoft's support window for microsoft.flux: ${WINDOW}` }]);
});

test("the Flux component refuses a pin outside the window before registering anything", async () => {
    const cluster = { resourceGroupName: "rg", clusterName: "x", clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters" } as const;
    assert.throws(
        () => new Flux("old-flux", { cluster, extension: { version: "1.19.5" }, configurations: [{ name: "c", url: "https://github.com/org/gitops", branch: "main", kustomizations: [{ name: "k" }] }] }),
        (e: pulumi.InputPropertiesError) => {
            assert.ok(pulumi.InputPropertiesError.isInstance(e));
            assert.deepEqual(e.errors, [{ propertyPath: "extension.version", reason: `1.19.5 is outside Microsoft's support window for microsoft.flux: ${WINDOW}` }]);
            return true;
        },
    );
    await settle();
    assert.deepEqual(rec.registrations.filter((r) => r.name.startsWith("old-flux")), []);
});

test("the stack config refuses a pin outside the window, naming the key; every shipped stack's pin is inside", () => {
    const v = minimalStack();
    v.flux.extension = { version: "1.21.0" };
    assert.deepEqual(testStackProblems(v), [`gitops-platform:flux.extension.version: 1.21.0 is outside Microsoft's support window for microsoft.flux: ${WINDOW}`]);
    const pins = shippedStacks().map((s) => {
        const c = parseShippedStack(s);
        return c.kind === "owner" ? c.flux.extension.version : undefined;
    });
    assert.ok(pins.includes("1.24.1"), "prod pins 1.24.1");
});

test("upgrade notes: a skipped step, an API removal, a downgrade, pinning and unpinning", () => {
    const kinds = (from?: string, to?: string) => extensionUpgradeNotes(from, to).map((n) => n.kind);
    const twoSteps = "Upgrade in two steps: first move the extension to 1.22.2 (any of 1.21.0 to 1.22.2 will do) with az k8s-extension update --version 1.22.2 (outside the supported window, so no stack may pin it), then";
    assert.deepEqual(extensionUpgradeNotes("1.20.4", "1.24.1"), [
        {
            kind: "skipped-step",
            message: `1.20.4 (Flux 2.6.4) -> 1.24.1 (Flux 2.7.5) skips a required step: a cluster must run 1.21.0 or later before it moves to 1.23.0 (${NOTICE}). ${twoSteps} pin 1.24.1`,
        },
        {
            kind: "removed-apis",
            message:
                `1.20.4 (Flux 2.6.4) -> 1.24.1 (Flux 2.7.5) crosses 1.23.0, which stops serving ${FLUX_2_7_REMOVED.join(", ")}: ` +
                `move every manifest the Flux configurations apply off those versions before this deploys (${NOTICE})`,
        },
    ]);
    assert.deepEqual(kinds("1.21.0", "1.23.0"), ["removed-apis"], "on the step already: only the removals");
    assert.deepEqual(kinds("1.20.4", "1.22.2"), [], "up to the step: nothing to say");
    assert.deepEqual(kinds("1.23.0", "1.24.1"), []);
    assert.deepEqual(kinds("1.24.1", "1.24.1"), []);
    assert.deepEqual(kinds(undefined, undefined), []);
    assert.deepEqual(extensionUpgradeNotes("1.24.1", "1.22.2"), [{
        kind: "downgrade",
        message: "1.24.1 (Flux 2.7.5) -> 1.22.2 (Flux 2.6.4) is a downgrade, which Microsoft's release notes don't describe; prefer pinning a newer supported version, or try the downgrade on a cluster you can rebuild first",
    }]);
    const pinned = extensionUpgradeNotes(undefined, "1.24.1");
    assert.deepEqual(pinned.map((n) => n.kind), ["pinned"]);
    assert.match(pinned[0].message, /^auto-upgrade -> 1\.24\.1 \(Flux 2\.7\.5\): the cluster runs whatever its release train installed, which no plan can see; check it with az k8s-extension show/);
    assert.ok(pinned[0].message.includes("; from below 1.21.0 a pin of 1.24.1 skips the step 1.23.0 requires: move the extension to 1.22.2 (any of 1.21.0 to 1.22.2 will do) with az k8s-extension update --version 1.22.2 (outside the supported window, so no stack may pin it) first."));
    assert.ok(!extensionUpgradeNotes(undefined, "1.22.2")[0].message.includes("skips"), "a pin below the step skips nothing");
    const unpinned = extensionUpgradeNotes("1.20.4", undefined);
    assert.deepEqual(unpinned.map((n) => n.kind), ["unpinned", "skipped-step", "removed-apis"]);
    assert.equal(unpinned[0].message, "1.20.4 (Flux 2.6.4) -> auto-upgrade: Azure moves the extension up its release train on its own schedule, to 1.24.1 or newer, and this plan no longer sees the version");
    assert.ok(unpinned[1].message.endsWith(`${twoSteps} remove the pin`), unpinned[1].message);
});

// ---------------------------------------------------------------------------------------------
// plan --diff, on two plans built in process.
// ---------------------------------------------------------------------------------------------

const EXT = "azure-native:kubernetesconfiguration:Extension";
function extension(name: string, version: string | undefined, extensionType = "microsoft.flux"): PlannedResource {
    const inputs = { extensionType, autoUpgradeMinorVersion: version === undefined, ...(version === undefined ? {} : { version }), releaseTrain: "Stable" };
    return { key: `${EXT}::${name}`, type: EXT, name, parent: null, provider: null, dependsOn: [], ignoreChanges: [], inputs };
}
function plan(...resources: PlannedResource[]): StackPlan {
    return { stack: "prod", organization: "o", resources, kubernetes: [], github: { repository: {}, environments: {} }, outputs: {}, lookups: [], secrets: [] };
}

test("plan --diff flags an extension upgrade that skips the 1.21.0 step, in the data and the text", () => {
    const d = diffPlans(
        "prod", "main",
        plan(extension("aks-flux-extension", "1.20.4"), extension("arc-flux-extension", undefined), extension("same-flux-extension", "1.24.0"), extension("other-extension", "1.0.0", "microsoft.azuremonitor")),
        plan(extension("aks-flux-extension", "1.24.1"), extension("arc-flux-extension", "1.23.0"), extension("same-flux-extension", "1.24.0"), extension("other-extension", "0.9.0", "microsoft.azuremonitor")),
    );
    assert.deepEqual(d.extensionUpgrades, [
        { key: `${EXT}::aks-flux-extension`, from: "1.20.4", to: "1.24.1", notes: extensionUpgradeNotes("1.20.4", "1.24.1") },
        { key: `${EXT}::arc-flux-extension`, to: "1.23.0", notes: extensionUpgradeNotes(undefined, "1.23.0") },
    ]);
    const text = renderDiff(d);
    assert.match(text, new RegExp(`^ {2}! ${EXT}::aks-flux-extension: microsoft\\.flux 1\\.20\\.4 -> 1\\.24\\.1\\n {6}skipped-step: 1\\.20\\.4 \\(Flux 2\\.6\\.4\\) -> 1\\.24\\.1 \\(Flux 2\\.7\\.5\\) skips a required step: `, "m"));
    assert.match(text, new RegExp(`^ {2}! ${EXT}::arc-flux-extension: microsoft\\.flux auto-upgrade -> 1\\.23\\.0\\n {6}pinned: auto-upgrade -> 1\\.23\\.0`, "m"));
    assert.ok(!text.includes("same-flux-extension:") && !text.includes("other-extension:"), "no note where nothing needs care");
    // A stack that gains its extension has no older version to step from.
    assert.deepEqual(diffPlans("prod", "main", plan(), plan(extension("aks-flux-extension", "1.24.1"))).extensionUpgrades, []);
});
