// Credentials: secrets stay secrets, grants stay narrow, nothing lets a client in without one.
import { FLUX_POLICY_ROLE } from "../components/fleet.ts";
import { ofTypes, valueAt, type ResourcePolicy, type Subject, type Verdict } from "./model.ts";

/**
 * The inputs that carry a credential, by resource type: what this program registers (Flux protected
 * settings, the connector's PAT Secret and the pull secret's .dockerconfigjson, Actions secrets, the
 * Kubernetes provider's kubeconfig) and the provider settings a caller might add.
 */
export const CREDENTIAL_INPUTS: Readonly<Record<string, readonly string[]>> = {
    "azure-native:kubernetesconfiguration:FluxConfiguration": ["configurationProtectedSettings"],
    "azure-native:kubernetesconfiguration:Extension": ["configurationProtectedSettings"],
    "kubernetes:core/v1:Secret": ["data", "stringData"],
    "github:index/actionsSecret:ActionsSecret": ["plaintextValue", "encryptedValue"],
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": ["plaintextValue", "encryptedValue"],
    "pulumi:providers:kubernetes": ["kubeconfig"],
    "pulumi:providers:github": ["token"],
    "pulumi:providers:azure-native": ["clientSecret", "clientCertificatePassword"],
    "pulumi:providers:azuread": ["clientSecret", "clientCertificatePassword"],
};

/**
 * An azure-native type token without its API version: `…/v20250401:FluxConfiguration` is a
 * FluxConfiguration too. (Kubernetes tokens keep theirs: `core/v1` is part of the type.)
 */
const unversioned = (type: string) => type.replace(/^(azure-native:[a-z]+)\/v\d{8}(preview)?:/, "$1:");

export function credentialsAreSecrets(r: Subject): Verdict {
    const paths = CREDENTIAL_INPUTS[unversioned(r.type)] ?? [];
    const present = paths.filter((p) => {
        const v = valueAt(r.props, [p]);
        return v !== undefined && v !== null && v !== "";
    });
    if (present.length === 0) return { notApplicable: "no credential input set" };
    if (r.isSecret === undefined) {
        return { notApplicable: "CrossGuard doesn't tell a validation which inputs are secrets (pulumi/pulumi-policy#241); npm run plan -- <stack> --policy checks this offline" };
    }
    return present
        .filter((p) => !r.isSecret!([p]))
        .map((p) => `${p} holds a credential in plain text: wrap it in pulumi.secret() (or read it with config.requireSecret) so that state and previews keep it encrypted`);
}

/** An Azure scope at subscription level or above: the root, a management group or a subscription. */
export function isSubscriptionScopeOrWider(scope: string): boolean {
    const s = scope.trim().replace(/\/+$/, "").toLowerCase();
    return s === "" || /^\/subscriptions\/[^/]+$/.test(s) || /^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/.test(s);
}

/** The component whose Contributor grants are what its Azure Policy definitions require at the assignment's scope. */
export const FLEET_POLICY_COMPONENT = "gitops:fleet:FleetPolicy";

export function roleAssignmentScope(r: Subject): Verdict {
    // A fleet's policy identities hold their definitions' role (Contributor) at the assignment's scope,
    // which may be a subscription or a management group: the grant is the fleet's purpose.
    if (r.components?.includes(FLEET_POLICY_COMPONENT) && String(r.props.roleDefinitionId).toLowerCase().endsWith(`/roledefinitions/${FLUX_POLICY_ROLE}`)) {
        return { notApplicable: "an Azure Policy assignment's identity needs its definition's role (Contributor) at the assignment's scope (FleetPolicy)" };
    }
    const scope = r.props.scope;
    if (typeof scope !== "string") return ["scope is not set: expected the resource ID of the one resource (or resource group) the grant is for"];
    return isSubscriptionScopeOrWider(scope)
        ? [`the grant's scope ${scope} is a subscription, a management group or the root: grant on the resource (or resource group) it is needed for`]
        : [];
}

export function registryLockedDown(r: Subject): Verdict {
    const out: string[] = [];
    // Both default to off in ARM: only an explicit `true` turns them on.
    if (r.props.adminUserEnabled === true) out.push("adminUserEnabled is true: the admin user is one shared, non-expiring credential with push rights; pull with a scoped identity instead");
    if (r.props.anonymousPullEnabled === true) out.push("anonymousPullEnabled is true: anyone on the internet may pull every image; grant AcrPull to the clusters instead");
    return out;
}

export function deployKeyReadOnly(r: Subject): Verdict {
    // The github provider's default is read-only: only an explicit `false` grants push.
    return r.props.readOnly === false
        ? ["readOnly is false: a key on the cluster could push to the GitOps repository it syncs from; Flux only reads"]
        : [];
}

export const CREDENTIAL_POLICIES: readonly ResourcePolicy[] = [
    {
        name: "credentials-are-secrets",
        description: "Every credential input (Flux protected settings, Kubernetes Secret data, Actions secrets, provider kubeconfigs and tokens) is a Pulumi secret, so it is encrypted in state and never printed.",
        group: "credentials",
        enforcementLevel: "mandatory",
        kind: "resource",
        appliesTo: (type) => unversioned(type) in CREDENTIAL_INPUTS,
        check: credentialsAreSecrets,
    },
    {
        name: "no-subscription-scope-role-assignments",
        description: "No role assignment at subscription scope or wider: every identity here needs one registry, cluster or resource group, and a wider grant outlives the resources it was for. Except a fleet's Azure Policy identities, which need their definition's role at the assignment's scope.",
        group: "credentials",
        enforcementLevel: "mandatory",
        kind: "resource",
        // Versioned tokens (azure-native:authorization/v20220401:RoleAssignment) are the same resource.
        appliesTo: (type) => /^azure-native:authorization(\/v[0-9a-z]+)?:RoleAssignment$/.test(type),
        check: roleAssignmentScope,
    },
    {
        name: "acr-admin-user-and-anonymous-pull-off",
        description: "The container registry has no admin user and no anonymous pull: clusters and CI pull and push with their own identities, which can be scoped and revoked.",
        group: "credentials",
        enforcementLevel: "mandatory",
        kind: "resource",
        appliesTo: (type) => /^azure-native:containerregistry(\/v[0-9a-z]+)?:Registry$/.test(type),
        check: registryLockedDown,
    },
    {
        name: "deploy-keys-read-only",
        description: "Deploy keys are read-only: the key lives on the cluster, and Flux only reads the GitOps repository.",
        group: "credentials",
        enforcementLevel: "mandatory",
        kind: "resource",
        appliesTo: ofTypes("github:index/repositoryDeployKey:RepositoryDeployKey"),
        check: deployKeyReadOnly,
    },
];
