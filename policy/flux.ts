// Flux: what the extension serves and supports, how sources are verified, and how kustomizations wait.
// The rules are the components' own (flux-args.ts, flux-versions.ts, git.ts, connector.ts), applied
// here to what the program actually registers.
import { CONNECTOR_CHART, connectorProblems } from "../components/connector.ts";
import { dependsOnCycles, fluxExtensionVersionProblem } from "../components/flux-args.ts";
import { apisRemovedBy, fluxExtensionRelease, NEWEST_FLUX_EXTENSION_VERSION } from "../components/flux-versions.ts";
import { knownHostsProblems } from "../components/git.ts";
import { ofTypes, type ResourcePolicy, type StackPolicy, type StackVerdict, type Subject, type Verdict } from "./model.ts";

const FLUX_CONFIGURATION = /^azure-native:kubernetesconfiguration(\/v[0-9a-z]+)?:FluxConfiguration$/;
const EXTENSION = /^azure-native:kubernetesconfiguration(\/v[0-9a-z]+)?:Extension$/;
const NOTIFICATION = /^kubernetes:(notification\.toolkit\.fluxcd\.io\/[^:]+):(Alert|Provider)$/;

const isFluxExtension = (r: Subject) => EXTENSION.test(r.type) && String(r.props.extensionType).toLowerCase() === "microsoft.flux";

/** The version a microsoft.flux extension runs: its pin, or (auto-upgrading) the newest release. */
export function extensionRunningVersion(r: Subject): string {
    return typeof r.props.version === "string" ? r.props.version : NEWEST_FLUX_EXTENSION_VERSION;
}

/**
 * Alerts and Providers at an API version the stack's extension no longer serves. With no extension in
 * the stack (a cluster another stack owns), or one that auto-upgrades, the newest release is assumed.
 */
export function notificationApisServed(resources: readonly Subject[]): StackVerdict {
    const objects = resources.filter((r) => NOTIFICATION.test(r.type));
    if (objects.length === 0) return { notApplicable: "no Flux Alert or Provider in the stack" };
    const extensions = resources.filter(isFluxExtension);
    const versions = extensions.length > 0 ? extensions.map(extensionRunningVersion) : [NEWEST_FLUX_EXTENSION_VERSION];
    const out: { resource: Subject; message: string }[] = [];
    for (const r of objects) {
        const [, fromType, kind] = NOTIFICATION.exec(r.type)!;
        const apiVersion = typeof r.props.apiVersion === "string" ? r.props.apiVersion : fromType;
        for (const v of versions) {
            if (!apisRemovedBy(v).includes(apiVersion)) continue;
            const release = fluxExtensionRelease(v);
            out.push({
                resource: r,
                message: `${kind} at ${apiVersion}: microsoft.flux ${v}${release ? ` (Flux ${release.flux})` : ""} no longer serves it; use notification.toolkit.fluxcd.io/v1beta3`,
            });
        }
    }
    return out;
}

export function sshKnownHostsPinned(r: Subject): Verdict {
    const repo = r.props.gitRepository;
    if (!repo || typeof repo.url !== "string" || !repo.url.startsWith("ssh://")) return { notApplicable: "not an ssh:// Git source" };
    const encoded = repo.sshKnownHosts;
    if (typeof encoded !== "string" || encoded === "") {
        return ["gitRepository.sshKnownHosts is not set: Flux would trust whatever host key the server offers first; pin the Git host's keys"];
    }
    // ARM takes the known_hosts file base64-encoded; the lines are checked with the component's rule.
    const lines = Buffer.from(encoded, "base64").toString("utf8").split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));
    if (lines.length === 0) return ["gitRepository.sshKnownHosts holds no known_hosts line: pin the Git host's keys"];
    return knownHostsProblems(lines).map((p) => `gitRepository.sshKnownHosts line ${p.index + 1}: ${p.message}`);
}

export function kustomizationsAcyclic(r: Subject): Verdict {
    const ks = r.props.kustomizations;
    if (!ks || typeof ks !== "object") return { notApplicable: "no kustomizations" };
    const list = Object.entries(ks as Record<string, { dependsOn?: string[] }>).map(([name, k]) => ({ name, dependsOn: k?.dependsOn ?? [] }));
    return dependsOnCycles(list).map((c) => `kustomizations' dependsOn forms a cycle (${c.join(" -> ")}): Flux would wait forever`);
}

export function extensionVersionSupported(r: Subject): Verdict {
    if (!isFluxExtension(r)) return { notApplicable: "not the microsoft.flux extension" };
    if (typeof r.props.version !== "string") return { notApplicable: "not pinned: the extension auto-upgrades on its release train" };
    const problem = fluxExtensionVersionProblem(r.props.version);
    return problem === undefined ? [] : [`version ${problem}`];
}


export function connectorChartPinned(r: Subject): Verdict {
    if (r.props.chart !== CONNECTOR_CHART) return { notApplicable: "not the GitOps Connector chart" };
    const out: string[] = [];
    const version = r.props.version;
    if (typeof version !== "string" || !/^\d+\.\d+\.\d+$/.test(version)) {
        out.push("version is not pinned to one chart release: an unpinned install takes whatever the Helm repository publishes next");
    } else {
        out.push(...connectorProblems({ chartVersion: version }).map((p) => `version ${version}: ${p.message}`));
    }
    // The chart's default orchestratorPAT is not empty, and a non-empty value makes it render its own
    // Secret with the PAT from values, which Helm keeps in its release history in plain text.
    const pat = r.props.values?.orchestratorPAT;
    if (pat !== "") {
        out.push("values.orchestratorPAT is not empty: the PAT would be stored in the Helm release (and the chart's default is not empty); leave it \"\" and provide the PAT Secret");
    }
    return out;
}

export const FLUX_POLICIES: readonly (ResourcePolicy | StackPolicy)[] = [
    {
        name: "flux-notification-api-served",
        description: "Flux Alerts and Providers use an API version the stack's microsoft.flux extension still serves (1.23.0 removed the old notification versions); otherwise the objects stop being applied.",
        group: "flux",
        enforcementLevel: "advisory",
        kind: "stack",
        checkStack: notificationApisServed,
    },
    {
        name: "flux-ssh-known-hosts-pinned",
        description: "A Flux source over ssh:// pins the Git host's keys (gitRepository.sshKnownHosts), so the cluster can't be pointed at an impostor server.",
        group: "flux",
        enforcementLevel: "advisory",
        kind: "resource",
        appliesTo: (type) => FLUX_CONFIGURATION.test(type),
        check: sshKnownHostsPinned,
    },
    {
        name: "flux-kustomizations-acyclic",
        description: "A Flux configuration's kustomizations depend on each other without a cycle; a cycle makes Flux wait forever and the configuration never becomes ready.",
        group: "flux",
        enforcementLevel: "advisory",
        kind: "resource",
        appliesTo: (type) => FLUX_CONFIGURATION.test(type),
        check: kustomizationsAcyclic,
    },
    {
        name: "flux-extension-version-supported",
        description: "A pinned microsoft.flux version is a known release inside Microsoft's support window (the newest three releases).",
        group: "flux",
        enforcementLevel: "advisory",
        kind: "resource",
        appliesTo: (type) => EXTENSION.test(type),
        check: extensionVersionSupported,
    },
    {
        name: "connector-chart-pinned-no-pat-value",
        description: "The GitOps Connector chart is pinned to one release, and its orchestratorPAT value is empty so that the PAT lives only in its own Secret, never in Helm's release history.",
        group: "flux",
        enforcementLevel: "advisory",
        kind: "resource",
        appliesTo: ofTypes("kubernetes:helm.sh/v3:Release"),
        check: connectorChartPinned,
    },
];
