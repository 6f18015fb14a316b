// Fixed values the mocks answer with and the tests compare against: IDs, tokens, kubeconfigs, and what
// the dev stack exports.
import { readFileSync } from "node:fs";
import * as path from "node:path";

/** The repository the tests run in. */
export const REPO_ROOT = path.join(__dirname, "..", "..");

/** The subscription the mocks run in (getClientConfig, and every Azure ID they make up). */
export const SUB = "11111111-1111-1111-1111-111111111111";

/** The object ID the mocks give the identity running the program (getClientConfig). */
export const CALLER_OBJECT_ID = "00000000-0000-0000-0000-0000000de910";

/** An unsigned JWT with these claims, shaped like the Azure access tokens getClientToken returns. */
export function fakeJwt(claims: Record<string, unknown>): string {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    return `${part({ typ: "JWT", alg: "RS256" })}.${part(claims)}.c2lnbmF0dXJl`;
}

/**
 * The claims of an ARM token: a user's delegated token carries `scp` (and `idtyp: user`); a service
 * principal's app-only token carries neither `scp` nor `idtyp: user`.
 */
export function callerToken(caller: "user" | "servicePrincipal"): string {
    return caller === "user"
        ? fakeJwt({ aud: "https://management.azure.com/", oid: CALLER_OBJECT_ID, scp: "user_impersonation", idtyp: "user" })
        : fakeJwt({ aud: "https://management.azure.com/", oid: CALLER_OBJECT_ID, appid: "00000000-0000-0000-0000-00000000c11e", roles: [] });
}

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
    connectorAddress: "http://gitops-connector.gitops-connector.svc.cluster.local:8080/gitopsphase",
    githubRepository: "your-github-org/arc-cicd-demo-src",
    githubEnvironment: "az-vote-app-dev",
    ciClientId: "client-of-arc-cicd-demo-src-ci-app",
    ciPrincipalId: "sp-of-arc-cicd-demo-src-ci-sp",
    ciMode: "clientSecret",
};

/** The Flux built-in policy definitions' parameters and roles, recorded from Azure/azure-policy (see its `source`). */
export const POLICY_DEFINITIONS = JSON.parse(readFileSync(path.join(REPO_ROOT, "test", "fixtures", "policy-definitions.json"), "utf8")) as {
    readonly source: { readonly repository: string; readonly commit: string; readonly folder: string };
    readonly definitions: Readonly<
        Record<
            string,
            {
                readonly file: string;
                readonly displayName: string;
                readonly resourceTypes: readonly string[];
                readonly roleDefinitionIds: readonly string[];
                readonly deployedType: string;
                readonly parameters: Readonly<Record<string, { readonly type: string; readonly required: boolean; readonly allowedValues?: readonly unknown[] }>>;
            }
        >
    >;
};
