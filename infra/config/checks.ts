// What the schema can't express about a stack that owns a cluster: combinations across fields and
// sections. Each problem is "key path: message"; the rules themselves belong to the components.
import { aksSettingsProblems } from "../../components/cluster.ts";
import { connectorProblems } from "../../components/connector.ts";
import { azureBlobAccountName, EXTENSION_NAMESPACE, fluxProblems, fluxSourceKind } from "../../components/flux.ts";
import { checkAlerts } from "../alerts.ts";
import { checkDelivery } from "./checks-delivery.ts";
import { key } from "./names.ts";
import type { FluxConfigurationConfig } from "./resolve.ts";
import type { ParsedOwnerStack } from "./schema.ts";

export function checkOwnerStack(c: ParsedOwnerStack, configs: readonly FluxConfigurationConfig[]): string[] {
    // The Flux component's own rules (each configuration's, a name used twice, the extension's), reported
    // configuration by configuration with the auth checks below, then the extension's.
    const flux = fluxProblems(c.flux);
    const ofConfiguration = (i: number) => flux.filter((p) => p.path[0] === "configurations" && p.path[1] === i);
    const problems: string[] = [];
    configs.forEach((fc, i) => {
        const at = (...p: (string | number)[]) => key("flux", "configurations", i, ...p);
        for (const p of ofConfiguration(i)) problems.push(`${key("flux", ...p.path)}: ${p.message}`);
        if (fc.auth.type === "workloadIdentity" && c.cluster.mode === "arc") {
            problems.push(
                `${at("auth", "type")}: workload identity is not supported on Arc clusters yet (the connected cluster needs its OIDC issuer and ` +
                    `workload identity webhook enabled first); use auth.type https or ssh, or a public source`,
            );
        }
        if (fc.storageAccountId !== undefined) {
            if (fc.source !== "azureBlob" || fc.auth.type !== "workloadIdentity") {
                problems.push(`${at("storageAccountId")}: applies to source azureBlob with auth.type workloadIdentity only (it scopes the identity's Storage Blob Data Reader grant)`);
            } else {
                const account = fc.storageAccountId.split("/").pop()?.toLowerCase();
                const named = azureBlobAccountName(fc.url);
                if (named !== undefined && account !== named) {
                    problems.push(`${at("storageAccountId")}: names the storage account '${account}', but url names '${named}'`);
                }
            }
        }
        // An OCI, Bucket or Azure Blob source's auth is the Flux component's to judge: the Git rules below don't apply.
        if (fc.source !== undefined || fluxSourceKind(fc.url) === "OCIRepository") return;
        const isSsh = fc.url.startsWith("ssh://");
        const sshAuth = fc.auth.type === "ssh" || fc.auth.type === "githubDeployKey";
        if (sshAuth && !isSsh) {
            problems.push(`${at("url")}: SSH auth needs an ssh:// URL (e.g. ssh://git@github.com/<owner>/<repo>), got ${fc.url}`);
        }
        // githubApp on an ssh:// URL is the Flux component's to refuse (it needs https://github.com).
        if (!sshAuth && isSsh && fc.auth.type !== "githubApp") {
            problems.push(`${at("auth", "type")}: an ssh:// URL needs auth.type ssh (a private key) or githubDeployKey`);
        }
        if (fc.auth.type === "githubDeployKey") {
            if (isSsh && fc.repo?.kind !== "github") {
                problems.push(`${at("auth", "type")}: githubDeployKey needs a github.com repo, got ${fc.url}`);
            }
            if (c.github === undefined) {
                problems.push(`${at("auth", "type")}: githubDeployKey needs the github section (its owner and token create the key)`);
            }
        }
        if (fc.auth.type === "ssh" && fc.auth.knownHosts === undefined && fc.host !== "github.com") {
            problems.push(`${at("auth", "knownHosts")}: expected the host keys of ${fc.host} (only github.com's are built in)`);
        }
    });
    for (const p of flux.filter((x) => x.path[0] !== "configurations")) problems.push(`${key("flux", ...p.path)}: ${p.message}`);
    problems.push(...checkAlerts(c));

    if (c.connector.enabled) problems.push(...checkConnector(c, configs));
    problems.push(...checkDelivery(c, configs));

    if (c.cluster.mode === "arc" && c.cluster.delivery === "api") {
        // Without a kubelet identity, pull secrets go into the app namespaces, which the GitOps repo
        // creates: they can only be written once the configurations have reconciled.
        configs.forEach((fc, i) => {
            if (!fc.waitForReconciliation) {
                problems.push(
                    `${key("flux", "configurations", i, "waitForReconciliation")}: on an Arc cluster the image pull secrets ` +
                        `need the app namespaces the configuration creates; keep waitForReconciliation true`,
                );
            }
        });
    }

    if (c.azure.protect && !c.azure.createResourceGroup) {
        problems.push(`${key("azure", "protect")}: protects the resource group this stack creates; set createResourceGroup: true or drop protect`);
    }

    if (c.cluster.mode === "aks") {
        for (const p of aksSettingsProblems(c.cluster)) problems.push(`${key("cluster", ...p.path)}: ${p.message}`);
    }
    return problems;
}

function checkConnector(c: ParsedOwnerStack, configs: readonly FluxConfigurationConfig[]): string[] {
    const problems: string[] = [];
    for (const p of connectorProblems(c.connector)) problems.push(`${key("connector", ...p.path)}: ${p.message}`);
    const shared = [...configs.map((fc) => fc.namespace), ...c.cluster.appNamespaces];
    if (c.connector.namespace !== EXTENSION_NAMESPACE && shared.includes(c.connector.namespace)) {
        problems.push(
            `${key("connector", "namespace")}: '${c.connector.namespace}' is also a Flux configuration's or an app namespace; ` +
                `the connector needs one of its own, since whoever reads pod logs there can read its PAT`,
        );
    }
    if (!c.flux.extension.controllers.notification) {
        problems.push(
            `${key("flux", "extension", "controllers", "notification")}: the GitOps Connector needs Flux notifications; ` +
                `enable the notification controller or set connector.enabled: false`,
        );
    }
    const target = c.connector.configuration ?? configs[0]?.name;
    const fc = configs.find((x) => x.name === target);
    if (fc === undefined) {
        problems.push(`${key("connector", "configuration")}: no Flux configuration named '${target}'`);
    } else if (c.connector.mode === "GITHUB" && fc.repo?.kind !== "github") {
        problems.push(`${key("connector", "mode")}: GITHUB mode needs the Flux configuration '${fc.name}' to sync a github.com repo, got ${fc.url}`);
    } else if (c.connector.mode === "AZDO" && fc.repo?.kind !== "azdo") {
        problems.push(
            `${key("connector", "mode")}: AZDO mode needs the Flux configuration '${fc.name}' to sync an Azure Repos ` +
                `repo (https://dev.azure.com/<org>/<project>/_git/<repo>), got ${fc.url}`,
        );
    }
    return problems;
}
