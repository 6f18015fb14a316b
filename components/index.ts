// The components' public API: each ComponentResource with its args, the defaults it applies and the
// rules it checks, for a program that installs them as a package.
// Operators' alerts: Flux Providers and Alerts for failed reconciliations.
export * from "./alerts.ts";
export * from "./azure.ts";
export * from "./ci-identity.ts";
// Also the AKS settings, kubeconfig options and their rules (aks.ts).
export * from "./cluster.ts";
// Monitoring (monitoring.ts) and the Key Vault Secrets Provider: the AKS add-ons' settings and the Arc extensions.
export * from "./cluster-extensions.ts";
export * from "./connector.ts";
export * from "./credentials.ts";
// Flux on every cluster in a scope through Azure Policy.
export * from "./fleet.ts";
// Also the Flux arguments and rules (flux-args.ts) and the Git URL and known_hosts rules (git.ts).
export * from "./flux.ts";
// Flux configurations at ARM API 2025-04-01 (OCI sources, gitRepository.provider), typed from the spec.
export * from "./flux-configuration-2025.ts";
// The Secret a GitHub App configuration reads its credentials from.
export * from "./flux-github-app.ts";
// The managed identity Flux's source-controller signs in with (workload identity), and its grants.
export * from "./flux-identity.ts";
// The known microsoft.flux releases, the supported window and the upgrade steps.
export * from "./flux-versions.ts";
// Pull-only delivery (cluster.delivery git): the platform folder in Git (platform-manifests.ts) and its
// secrets in Key Vault.
export * from "./git-delivery.ts";
export * from "./github.ts";
// The GitOps repo's governance: ruleset, merge settings and the validation workflow (validation-workflow.ts).
export * from "./gitops-repo.ts";
// Reading the program's own credentials from Key Vault's data plane.
export * from "./keyvault-secret.ts";
export * from "./notifications.ts";
export * from "./options.ts";
export * from "./problems.ts";
export * from "./registry.ts";
