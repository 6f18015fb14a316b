// The components' public API: each ComponentResource with its args, the defaults it applies and the
// rules it checks, for a program that installs them as a package.
export * from "./azure.ts";
export * from "./ci-identity.ts";
// Also the AKS settings, kubeconfig options and their rules (aks.ts).
export * from "./cluster.ts";
export * from "./connector.ts";
export * from "./credentials.ts";
// Flux on every cluster in a scope through Azure Policy.
export * from "./fleet.ts";
// Also the Flux arguments and rules (flux-args.ts) and the Git URL and known_hosts rules (git.ts).
export * from "./flux.ts";
// The known microsoft.flux releases, the supported window and the upgrade steps.
export * from "./flux-versions.ts";
export * from "./github.ts";
export * from "./notifications.ts";
export * from "./options.ts";
export * from "./problems.ts";
export * from "./registry.ts";
