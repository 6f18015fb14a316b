// The text of a stack file npm run new-stack writes: commented like the shipped stacks (the schema line
// editors validate against, what the stack manages, what the GitOps repo must hold before `pulumi up`,
// how to set each secret), then the sections, each fitted to another stack with the reason above it.
import YAML from "yaml";
import { PROJECT, setSecretCommand, type OwnerStackConfig } from "../../infra/config.ts";
import type { GitOpsFolder, Note } from "./new-stack.ts";

/** The first line of every stack file: yaml-language-server validates the file against the schema. */
export const SCHEMA_LINE = "# yaml-language-server: $schema=../docs/stack-file.schema.json";
const WIDTH = 110;

export interface StackFileParts {
    readonly stack: string;
    readonly from: string | undefined;
    /** The sections taken from `from`'s file. */
    readonly copied: readonly string[];
    readonly sections: Record<string, unknown>;
    /** The sections, validated: what the header describes. */
    readonly config: OwnerStackConfig;
    readonly secrets: readonly { key: string; purpose: string }[];
    readonly folders: readonly GitOpsFolder[];
    readonly notes: readonly Note[];
}

/** `a`, `a and b`, `a, b and c`. */
const list = (xs: readonly string[]) => (xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);

/** A paragraph as `# ` comment lines of at most WIDTH characters. */
function comment(text: string, indent = ""): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(" ")) {
        if (line !== "" && indent.length + 2 + line.length + 1 + word.length > WIDTH) {
            lines.push(line);
            line = word;
        } else {
            line = line === "" ? word : `${line} ${word}`;
        }
    }
    if (line !== "") lines.push(line);
    return lines.map((l) => `${indent}# ${l}`);
}

/** What the stack manages, in the words of the shipped stack files' first paragraph. */
export function describeStack(c: OwnerStackConfig): string {
    const cl = c.cluster;
    const rg = (cl.mode === "aks" ? undefined : cl.resourceGroup) ?? c.azure.resourceGroup;
    const onIt = c.connector.enabled
        ? "the microsoft.flux extension, the Flux configurations, the GitOps Connector and the Flux notifications that feed it"
        : "the microsoft.flux extension and the Flux configurations";
    if (cl.delivery === "git") {
        const what = cl.mode === "aks" ? `a new AKS cluster ${cl.name} in resource group ${rg}` : cl.mode === "aksExisting" ? `the existing AKS cluster ${rg}/${cl.name}, adopted` : `the existing Azure Arc connected cluster ${rg}/${cl.name}`;
        return (
            `${what}, delivered pull-only (cluster.delivery: git): \`pulumi up\` never calls its Kubernetes API. ARM installs the microsoft.flux extension and the Flux configurations; ` +
            `everything inside the cluster is committed to a platform folder of the GitOps repo, and its secrets go to Key Vault (docs/git-delivery.md).`
        );
    }
    if (cl.mode === "aks") {
        return `a new AKS cluster ${cl.name} in resource group ${rg}${c.azure.createResourceGroup ? ", which this stack creates" : " (which must exist)"}, and on it ${onIt}.`;
    }
    if (cl.mode === "aksExisting") {
        return `the existing AKS cluster ${rg}/${cl.name}, adopted (read, never modified): this stack installs ${onIt} on it, and \`pulumi destroy\` removes them and leaves the cluster.`;
    }
    return (
        `the existing Azure Arc connected cluster ${rg}/${cl.name} (onboarded with \`az connectedk8s connect\`). The extension and the Flux configurations go ` +
        `through ARM; ${c.connector.enabled ? "the connector, the Alert/Provider and " : ""}the image pull secrets go through the kubeconfig in secret ` +
        `${cl.kubeconfigSecret}, because Arc's API server is not reachable through ARM.`
    );
}

function header(p: StackFileParts): string[] {
    const c = p.config;
    const lines = [SCHEMA_LINE];
    const origin = p.from === undefined ? "Written by `npm run new-stack`." : `Written by \`npm run new-stack\` from stack ${p.from}'s ${list(p.copied)} ${p.copied.length === 1 ? "section" : "sections"}.`;
    let owns = "";
    if (c.github !== undefined) {
        const repo = `${c.github.owner}/${c.github.appRepo}`;
        owns = c.github.repository
            ? ` On GitHub it owns the repository-level secrets, the CI identity and the settings of ${repo}, and its environment ${c.github.environment.name}.`
            : ` On GitHub it owns the environment ${c.github.environment.name} of ${repo}.`;
    }
    lines.push(...comment(`${p.stack}: ${describeStack(c)}${owns} ${origin}`));
    if (c.cluster.mode === "aks" && c.cluster.aks.entraId.enabled) {
        lines.push(...comment("The cluster uses Entra ID with Azure RBAC (aks.entraId, on by default): `pulumi up` needs kubelogin on PATH (docs/deploying.md)."));
    }

    lines.push("#");
    const byRepo = new Map<string, string[]>();
    for (const f of p.folders) byRepo.set(`${f.url} (${f.ref})`, [...(byRepo.get(`${f.url} (${f.ref})`) ?? []), f.path]);
    const namespaces = c.cluster.appNamespaces.map((n) => `\`${n}\``).join(", ");
    for (const [repo, paths] of byRepo) {
        lines.push(...comment(`Before \`pulumi up\`: add to the GitOps repo ${repo} ${paths.length === 1 ? "the folder" : "the folders"} Flux syncs for this cluster, with manifests creating the namespace ${namespaces}:`));
        for (const folder of paths) lines.push(`#   ${folder}`);
    }
    lines.push(...comment("The configurations wait for Flux to reconcile, so a missing folder fails the deployment once the wait is over."));
    if (c.cluster.mode === "arc" && c.cluster.delivery !== "git") lines.push(...comment(`The image pull secret goes into ${namespaces} once Flux has created it.`));
    if (c.cluster.mode === "arc" && c.cluster.delivery === "git") {
        lines.push(...comment("The cluster needs its OIDC issuer and workload identity on (az connectedk8s update --enable-oidc-issuer --enable-workload-identity) and no open-source cert-manager (docs/git-delivery.md)."));
    }

    lines.push("#");
    if (p.secrets.length === 0) {
        lines.push("# Secrets: none in config.");
    } else {
        lines.push(
            ...comment("Secrets (never in this file in clear; `pulumi config set --secret` writes them here encrypted). Each value is read from a file, never typed on the command line (shell history and `ps` would see it):"),
        );
        for (const s of p.secrets) lines.push(`#   ${setSecretCommand(s.key, p.stack)}   # ${s.purpose}`);
    }
    if (c.github !== undefined && c.github.tokenSecret === undefined) {
        lines.push("# The github provider reads GITHUB_TOKEN (see docs/deploying.md#github-tokens for each token's permissions).");
    }
    return lines;
}

/** The whole file: header, then `config:` with each section under its project key. */
export function renderStackFile(p: StackFileParts): string {
    const doc = new YAML.Document({ config: Object.fromEntries(Object.entries(p.sections).map(([k, v]) => [`${PROJECT}:${k}`, v])) });
    // Short lists of names read best inline, as in the shipped stacks: appNamespaces: [qa]; long lines
    // such as known_hosts entries stay one item a line.
    YAML.visit(doc, {
        Seq(_, node) {
            if (node.items.every((i) => YAML.isScalar(i) && String(i.value).length <= 40)) node.flow = true;
        },
    });
    const config = doc.get("config", true) as YAML.YAMLMap<YAML.Scalar<string>, unknown>;
    for (const pair of config.items) {
        const why = p.notes.filter((n) => pair.key.value === `${PROJECT}:${n.section}`).map((n) => `${n.setting}: ${n.why}.`);
        // Comment lines without their '#', which the YAML library adds at the key's indentation.
        if (why.length > 0) pair.key.commentBefore = why.flatMap((w) => comment(w, "  ")).map((l) => l.slice(3)).join("\n");
    }
    // No folding: a known_hosts line or a URL must stay on one line.
    return `${header(p).join("\n")}\n${doc.toString({ flowCollectionPadding: false, lineWidth: 0 })}`;
}
