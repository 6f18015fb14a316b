// Operators' alerts (flux.alerts): a stack with three targets composed through createPlatform, its
// Secrets, Providers and Alerts checked exactly and against the Flux CRD schemas, the webhook URLs kept
// secret, and every refusal of the config named by key path.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    ALERT_KINDS, ALERT_PROVIDER_TYPES, ALERT_SEVERITIES, alertEventSources, alertSecretData, checkedAlertAddress, defaultAlertKinds, FluxAlerts, fluxAlertsProblems,
} from "../components/alerts.ts";
import { NOTIFICATION_API_VERSION } from "../components/notifications.ts";
import { alertTargets, createAlerts } from "../infra/alerts.ts";
import { requiredSecrets, secretReader } from "../infra/config/load.ts";
import { createPlatform } from "../infra/platform.ts";
import {
    assertWellFormedTree, dependsOn, duplicates, find, installMocks, isSecretValue, isTopLevel, minimalStack, one, parentOf, parseTestStack, plainOccurrences, PROJECT,
    providerOf, settle, testStackProblems, unwrap, type Registration,
} from "./support.ts";

// The secrets, given as secret config: each carries a canary that must never show in a plain input.
const SECRETS = {
    connectorPat: "CANARY-connector-pat-0a1b",
    opsTeamsWebhook: "https://prod-01.westeurope.logic.azure.com:443/workflows/CANARY-teams-7f3a/triggers/manual/paths/invoke?sig=CANARY-sig-7f3a",
    auditWebhook: "https://audit.example/hooks/CANARY-audit-91c2",
    auditHmacKey: "CANARY-hmac-key-55d0",
    eventHubConnection: "Endpoint=sb://ops.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=CANARY-sas-3e8b;EntityPath=flux-events",
} as const;
const rec = installMocks({
    config: Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [`${PROJECT}:${k}`, v])),
    secretKeys: Object.keys(SECRETS).map((k) => `${PROJECT}:${k}`),
});

const ALL_SET = Object.fromEntries(Object.keys(SECRETS).map((k) => [k, "secret" as const]));

/** minimalStack with two more configurations sharing the namespace team-a, and `alerts` when given. */
function stackWith(alerts?: unknown, flux: Record<string, unknown> = {}): Record<string, any> {
    const s = minimalStack();
    s.flux.configurations.push(
        { name: "team-a", namespace: "team-a", url: "https://github.com/org/team-a-gitops", branch: "main", kustomizations: [{ name: "apps", path: "apps" }] },
        {
            name: "team-a-infra",
            namespace: "team-a",
            url: "https://github.com/org/team-a-gitops",
            branch: "main",
            kustomizations: [{ name: "infra", path: "infra" }, { name: "policies", path: "policies", dependsOn: ["infra"] }],
        },
    );
    Object.assign(s.flux, flux);
    if (alerts !== undefined) s.flux.alerts = alerts;
    return s;
}

const TARGETS = [
    // The defaults: errors of everything every configuration owns.
    { name: "ops-teams", type: "msteams", addressSecret: "opsTeamsWebhook" },
    { name: "audit", type: "generic-hmac", addressSecret: "auditWebhook", tokenSecret: "auditHmacKey", severity: "info", kinds: ["Kustomization", "HelmRelease"], configurations: ["team-a"] },
    { name: "hub", type: "azureeventhub", addressSecret: "eventHubConnection", kinds: ["GitRepository"], configurations: ["cluster-config"] },
];
const config = parseTestStack(stackWith(TARGETS), ALL_SET);
createPlatform(config, secretReader());

const ALERTS = "arc-cicd-cluster-alerts";
const PROVIDER = "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider";
const ALERT = "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert";
const SECRET = "kubernetes:core/v1:Secret";
/** Every child of the alerts component. */
const children = (): Registration[] => rec.registrations.filter((r) => parentOf(rec, r)?.name === ALERTS);
const ready = settle();

test("one Secret, Provider and Alert per target and watched namespace, and the namespace patch, all under one component", async () => {
    await ready;
    const component = one(rec, "gitops:alerts:FluxAlerts", ALERTS);
    assert.equal(component.parent, "", "a stack-level component");
    assert.deepEqual(
        children().map((r) => `${r.type}::${r.name}`).sort(),
        [
            `${ALERT}::${ALERTS}-flux-system/hub-alert`,
            `${ALERT}::${ALERTS}-flux-system/ops-teams-alert`,
            `${ALERT}::${ALERTS}-team-a/audit-alert`,
            `${ALERT}::${ALERTS}-team-a/ops-teams-alert`,
            `${SECRET}::${ALERTS}-flux-system/hub-secret`,
            `${SECRET}::${ALERTS}-flux-system/ops-teams-secret`,
            `${SECRET}::${ALERTS}-team-a/audit-secret`,
            `${SECRET}::${ALERTS}-team-a/ops-teams-secret`,
            `kubernetes:core/v1:NamespacePatch::${ALERTS}-team-a-namespace`,
            `${PROVIDER}::${ALERTS}-flux-system/hub-provider`,
            `${PROVIDER}::${ALERTS}-flux-system/ops-teams-provider`,
            `${PROVIDER}::${ALERTS}-team-a/audit-provider`,
            `${PROVIDER}::${ALERTS}-team-a/ops-teams-provider`,
            // ops-teams watches every configuration and the Helm and OCI kinds: the app namespaces too.
            ...["dev", "stage"].flatMap((ns) => [
                `${ALERT}::${ALERTS}-${ns}/ops-teams-alert`,
                `${SECRET}::${ALERTS}-${ns}/ops-teams-secret`,
                `${PROVIDER}::${ALERTS}-${ns}/ops-teams-provider`,
                `kubernetes:core/v1:NamespacePatch::${ALERTS}-${ns}-namespace`,
            ]),
        ].sort(),
    );
    assert.deepEqual(one(rec, "kubernetes:core/v1:NamespacePatch", `${ALERTS}-team-a-namespace`).inputs.metadata, { name: "team-a" });
    // In an app namespace, only what the Kustomizations apply there, by kind.
    assert.deepEqual(one(rec, ALERT, `${ALERTS}-dev/ops-teams-alert`).inputs.spec, {
        providerRef: { name: "ops-teams" },
        eventSeverity: "error",
        eventSources: ["HelmRelease", "HelmChart", "OCIRepository"].map((kind) => ({ kind, name: "*", namespace: "dev" })),
    });
    assert.deepEqual(duplicates(rec), []);
});

test("the Providers: type and secretRef in each namespace, never the address", async () => {
    await ready;
    const expected: Record<string, { metadata: object; spec: object }> = {
        "flux-system/ops-teams": { metadata: { name: "ops-teams", namespace: "flux-system" }, spec: { type: "msteams", secretRef: { name: "ops-teams-credentials" } } },
        "team-a/ops-teams": { metadata: { name: "ops-teams", namespace: "team-a" }, spec: { type: "msteams", secretRef: { name: "ops-teams-credentials" } } },
        "team-a/audit": { metadata: { name: "audit", namespace: "team-a" }, spec: { type: "generic-hmac", secretRef: { name: "audit-credentials" } } },
        "flux-system/hub": { metadata: { name: "hub", namespace: "flux-system" }, spec: { type: "azureeventhub", secretRef: { name: "hub-credentials" } } },
    };
    for (const [at, want] of Object.entries(expected)) {
        const p = one(rec, PROVIDER, `${ALERTS}-${at}-provider`);
        assert.equal(p.inputs.apiVersion, NOTIFICATION_API_VERSION);
        assert.equal(p.inputs.kind, "Provider");
        assert.deepEqual(p.inputs.metadata, want.metadata, at);
        assert.deepEqual(p.inputs.spec, want.spec, at);
    }
    const providers = find(rec, PROVIDER).filter((r) => parentOf(rec, r)?.name === ALERTS);
    assert.equal(providers.length, 6, "and ops-teams' in the app namespaces dev and stage");
    for (const p of providers) {
        assert.ok(p.inputs.spec.secretRef?.name, `${p.name} has a secretRef`);
        assert.ok(!("address" in p.inputs.spec), `${p.name} carries no address`);
    }
});

test("the Alerts: error by default, the configurations' objects by name and the created kinds as '*', each in its own namespace", async () => {
    await ready;
    const alert = (at: string) => one(rec, ALERT, `${ALERTS}-${at}-alert`);
    const wild = (ns: string, ...kinds: string[]) => kinds.map((kind) => ({ kind, name: "*", namespace: ns }));
    assert.deepEqual(alert("flux-system/ops-teams").inputs.metadata, { name: "ops-teams", namespace: "flux-system" });
    assert.deepEqual(alert("flux-system/ops-teams").inputs.spec, {
        providerRef: { name: "ops-teams" },
        eventSeverity: "error",
        eventSources: [
            { kind: "GitRepository", name: "cluster-config", namespace: "flux-system" },
            { kind: "Kustomization", name: "cluster-config-cluster-config", namespace: "flux-system" },
            ...wild("flux-system", "HelmRelease", "HelmChart", "OCIRepository"),
        ],
    });
    // Two configurations in one namespace: one Alert watching both.
    assert.deepEqual(alert("team-a/ops-teams").inputs.metadata, { name: "ops-teams", namespace: "team-a" });
    assert.deepEqual(alert("team-a/ops-teams").inputs.spec, {
        providerRef: { name: "ops-teams" },
        eventSeverity: "error",
        eventSources: [
            { kind: "GitRepository", name: "team-a", namespace: "team-a" },
            { kind: "Kustomization", name: "team-a-apps", namespace: "team-a" },
            { kind: "GitRepository", name: "team-a-infra", namespace: "team-a" },
            { kind: "Kustomization", name: "team-a-infra-infra", namespace: "team-a" },
            { kind: "Kustomization", name: "team-a-infra-policies", namespace: "team-a" },
            ...wild("team-a", "HelmRelease", "HelmChart", "OCIRepository"),
        ],
    });
    assert.deepEqual(alert("team-a/audit").inputs.metadata, { name: "audit", namespace: "team-a" });
    assert.deepEqual(alert("team-a/audit").inputs.spec, {
        providerRef: { name: "audit" },
        eventSeverity: "info",
        eventSources: [{ kind: "Kustomization", name: "team-a-apps", namespace: "team-a" }, ...wild("team-a", "HelmRelease")],
    });
    assert.deepEqual(alert("flux-system/hub").inputs.spec, {
        providerRef: { name: "hub" },
        eventSeverity: "error",
        eventSources: [{ kind: "GitRepository", name: "cluster-config", namespace: "flux-system" }],
    });
    for (const a of find(rec, ALERT).filter((r) => parentOf(rec, r)?.name === ALERTS)) {
        assert.equal(a.inputs.apiVersion, NOTIFICATION_API_VERSION);
        for (const s of a.inputs.spec.eventSources) assert.equal(s.namespace, a.inputs.metadata.namespace, `${a.name}: sources in the Alert's namespace only`);
    }
});

test("the Secrets hold the address (and generic-hmac's token) as a Pulumi secret; no secret shows in any plain input", async () => {
    await ready;
    const secret = (at: string) => one(rec, SECRET, `${ALERTS}-${at}-secret`);
    const expected: Record<string, { metadata: object; data: object }> = {
        "flux-system/ops-teams": { metadata: { name: "ops-teams-credentials", namespace: "flux-system" }, data: { address: SECRETS.opsTeamsWebhook } },
        "team-a/ops-teams": { metadata: { name: "ops-teams-credentials", namespace: "team-a" }, data: { address: SECRETS.opsTeamsWebhook } },
        "team-a/audit": { metadata: { name: "audit-credentials", namespace: "team-a" }, data: { address: SECRETS.auditWebhook, token: SECRETS.auditHmacKey } },
        "flux-system/hub": { metadata: { name: "hub-credentials", namespace: "flux-system" }, data: { address: SECRETS.eventHubConnection } },
    };
    for (const [at, want] of Object.entries(expected)) {
        const s = secret(at);
        assert.deepEqual(s.inputs.metadata, want.metadata, at);
        assert.equal(s.inputs.type, "Opaque");
        assert.ok(isSecretValue(s.inputs.stringData), `${at}: stringData is a Pulumi secret`);
        assert.deepEqual(unwrap(s.inputs.stringData), want.data, at);
        assert.equal(s.inputs.data, undefined);
    }
    const canaries = [...Object.values(SECRETS), "CANARY-"];
    for (const needle of canaries) {
        for (const r of rec.registrations) assert.deepEqual(plainOccurrences(r.inputs, needle), [], `${needle} in ${r.type}::${r.name}`);
    }
});

test("the Providers and Alerts validate against the Flux notification v1beta3 CRD schemas, the Secrets against core/v1", async () => {
    await ready;
    const { Alert, Provider } = await import("@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3");
    const { Secret } = await import("kubernetes-models/v1");
    const objects = children().filter((r) => r.type === PROVIDER || r.type === ALERT);
    assert.equal(objects.length, 12);
    for (const r of objects) {
        const Model = r.inputs.kind === "Alert" ? Alert : Provider;
        const object = new Model({ metadata: r.inputs.metadata, spec: r.inputs.spec } as any);
        assert.doesNotThrow(() => object.validate(), `${r.name}: ${JSON.stringify(r.inputs.spec)}`);
        assert.equal(object.apiVersion, r.inputs.apiVersion);
    }
    for (const r of children().filter((x) => x.type === SECRET)) {
        assert.doesNotThrow(() => new Secret({ metadata: r.inputs.metadata, type: r.inputs.type, stringData: unwrap(r.inputs.stringData) }).validate(), r.name);
    }
    // Every type, kind and severity the config offers is one the CRDs accept; the schemas do refuse others.
    for (const type of ALERT_PROVIDER_TYPES) {
        assert.doesNotThrow(() => new Provider({ metadata: { name: "p" }, spec: { type, secretRef: { name: "s" } } } as any).validate(), type);
    }
    assert.throws(() => new Provider({ metadata: { name: "p" }, spec: { type: "teams" } } as any).validate(), /type/);
    for (const severity of ALERT_SEVERITIES) {
        const sources = alertEventSources("ns", [{ namespace: "ns", gitRepository: "g", kustomizations: ["k"] }], ALERT_KINDS);
        assert.deepEqual(sources.map((s) => s.kind), ["GitRepository", "Kustomization", "HelmRelease", "HelmChart", "OCIRepository"]);
        assert.doesNotThrow(() => new Alert({ metadata: { name: "a" }, spec: { providerRef: { name: "p" }, eventSeverity: severity, eventSources: sources } } as any).validate(), severity);
    }
    assert.throws(() => new Alert({ metadata: { name: "a" }, spec: { providerRef: { name: "p" }, eventSources: [{ kind: "Helmrelease", name: "*" }] } } as any).validate(), /kind/);
});

test("through the cluster's provider, with its deletedWith, after the extension and before every configuration (a failing first sync is reported); Secret, Provider, Alert in order", async () => {
    await ready;
    const extension = one(rec, "azure-native:kubernetesconfiguration:Extension", "arc-cicd-cluster-flux-extension");
    const configurations = find(rec, "azure-native:kubernetesconfiguration:FluxConfiguration");
    assert.deepEqual(configurations.map((r) => r.name).sort(), ["arc-cicd-cluster-flux-cluster-config", "arc-cicd-cluster-flux-team-a", "arc-cicd-cluster-flux-team-a-infra"]);
    // The same options as the connector's notifications: the cluster's provider and deletedWith.
    const notifications = one(rec, PROVIDER, "arc-cicd-cluster-notifications-provider");
    assert.notEqual(notifications.deletedWith, "");
    const kids = children();
    assert.equal(kids.length, 21);
    for (const r of kids) {
        assert.equal(providerOf(rec, r)?.name, "arc-cicd-cluster-k8s", `${r.name} uses the cluster's provider`);
        assert.equal(r.deletedWith, notifications.deletedWith, `${r.name} goes with the cluster`);
        assert.ok(dependsOn(rec, r, extension), `${r.name} waits for the extension`);
        for (const fc of configurations) assert.ok(!dependsOn(rec, r, fc), `${r.name} doesn't wait for ${fc.name}`);
    }
    // The configurations wait for the alerts: they listen from the first reconciliation on.
    // (dependsOn a component waits for each of its resources).
    for (const fc of configurations) for (const r of kids) assert.ok(dependsOn(rec, fc, r), `${fc.name} waits for ${r.name}`);
    const ns = one(rec, "kubernetes:core/v1:NamespacePatch", `${ALERTS}-team-a-namespace`);
    for (const at of ["flux-system/ops-teams", "team-a/ops-teams", "team-a/audit", "flux-system/hub"]) {
        const secret = one(rec, SECRET, `${ALERTS}-${at}-secret`);
        const provider = one(rec, PROVIDER, `${ALERTS}-${at}-provider`);
        const alert = one(rec, ALERT, `${ALERTS}-${at}-alert`);
        assert.ok(dependsOn(rec, provider, secret), `${at}: Provider after its Secret`);
        assert.ok(dependsOn(rec, alert, provider), `${at}: Alert after its Provider`);
        assert.equal(dependsOn(rec, secret, ns), at.startsWith("team-a/"), `${at}: the namespace first, except flux-system`);
    }
    assertWellFormedTree(rec, isTopLevel);
});

test("without flux.alerts nothing changes: no component, no secrets asked for", () => {
    const plain = parseTestStack(stackWith(), ALL_SET);
    assert.ok(plain.kind === "owner");
    assert.equal(plain.flux.alerts, undefined);
    assert.deepEqual(createAlerts(plain, undefined as never, secretReader(), {}), []);
    assert.deepEqual(requiredSecrets(plain).map((s) => s.key), ["connectorPat"]);
    assert.ok(config.kind === "owner");
    assert.deepEqual(requiredSecrets(config).map((s) => s.key), ["connectorPat", "opsTeamsWebhook", "auditWebhook", "auditHmacKey", "eventHubConnection"]);
});

test("the defaults: severity error, every kind that applies (no Helm kinds without the helm controller), every configuration", () => {
    assert.ok(config.kind === "owner");
    assert.deepEqual(config.flux.alerts?.[0], { name: "ops-teams", type: "msteams", addressSecret: "opsTeamsWebhook", severity: "error" });
    const helmOff = parseTestStack(stackWith([{ name: "ops", type: "slack", addressSecret: "opsTeamsWebhook" }], { extension: { controllers: { helm: false } } }), ALL_SET);
    assert.ok(helmOff.kind === "owner");
    const [t] = alertTargets(helmOff, (k) => pulumi.secret(k));
    assert.deepEqual(t.kinds, ["GitRepository", "Kustomization", "OCIRepository"]);
    assert.equal(t.configurations, undefined, "all configurations");
    assert.deepEqual(defaultAlertKinds({ helm: true }), [...ALERT_KINDS]);
});

test("config refusals name the key path: the list, names, types, tokens, kinds and configurations", () => {
    const problems = (alerts: unknown, flux?: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
        testStackProblems({ ...stackWith(alerts, flux), ...extra }, ALL_SET);
    const hook = { type: "msteams", addressSecret: "opsTeamsWebhook" };
    assert.deepEqual(problems([]), [`${PROJECT}:flux.alerts: expected at least one alert target; leave the list out for none`]);
    assert.deepEqual(problems([{ name: "ops", ...hook }, { name: "ops", type: "discord", addressSecret: "auditWebhook" }]), [
        `${PROJECT}:flux.alerts[1].name: another alert target is named 'ops'; its Provider and Alert would take the same names`,
    ]);
    assert.deepEqual(problems([{ name: "ops", ...hook, configurations: ["team-b", "team-a", "team-a"] }]), [
        `${PROJECT}:flux.alerts[0].configurations[0]: no Flux configuration named 'team-b' (expected one of cluster-config, team-a, team-a-infra)`,
        `${PROJECT}:flux.alerts[0].configurations[2]: listed twice`,
    ]);
    assert.deepEqual(problems([{ name: "ops", ...hook, kinds: [], configurations: [] }]), [
        `${PROJECT}:flux.alerts[0].kinds: expected at least one kind; leave it out for all (GitRepository, Kustomization, HelmRelease, HelmChart, OCIRepository)`,
        `${PROJECT}:flux.alerts[0].configurations: expected at least one Flux configuration; leave it out for all`,
    ]);
    assert.deepEqual(problems([{ name: "ops", ...hook, kinds: ["Kustomization", "Kustomization"] }]), [`${PROJECT}:flux.alerts[0].kinds[1]: listed twice`]);
    assert.deepEqual(problems([{ name: "gitops-connector", ...hook }]), [
        `${PROJECT}:flux.alerts[0].name: gitops-connector is the name of the GitOps Connector's Provider and Alert; choose another`,
    ]);
    assert.deepEqual(
        problems([
            { name: "audit", type: "generic-hmac", addressSecret: "auditWebhook" },
            { name: "ops", ...hook, tokenSecret: "auditHmacKey" },
        ]),
        [
            `${PROJECT}:flux.alerts[0].tokenSecret: generic-hmac signs each request with an HMAC key (the Secret's token); expected one`,
            `${PROJECT}:flux.alerts[1].tokenSecret: only generic-hmac takes a token; msteams reads the address alone`,
        ],
    );
    // What involves the extension.
    assert.deepEqual(problems([{ name: "ops", ...hook }], { extension: { controllers: { notification: false } } }, { connector: { enabled: false } }), [
        `${PROJECT}:flux.extension.controllers.notification: the alert targets in flux.alerts need Flux notifications; enable the notification controller or leave flux.alerts out`,
    ]);
    assert.deepEqual(problems([{ name: "ops", ...hook, kinds: ["Kustomization", "HelmRelease"] }], { extension: { controllers: { helm: false } } }), [
        `${PROJECT}:flux.alerts[0].kinds[1]: HelmRelease objects need the helm controller, which flux.extension.controllers.helm turns off; enable it or drop the kind`,
    ]);
});

test("schema refusals carry the component's messages: a kind or type not in the list, a name that can't name the objects", () => {
    const problems = (alerts: unknown) => testStackProblems(stackWith(alerts), ALL_SET);
    const hook = { type: "msteams", addressSecret: "opsTeamsWebhook" };
    const kinds = `expected one of ${ALERT_KINDS.join(", ")}`;
    assert.equal(kinds, "expected one of GitRepository, Kustomization, HelmRelease, HelmChart, OCIRepository");
    assert.deepEqual(problems([{ name: "ops", ...hook, kinds: ["Kustomization", "Bucket"] }]), [`${PROJECT}:flux.alerts[0].kinds[1]: ${kinds}`]);
    assert.deepEqual(problems([{ name: "ops", type: "teams", addressSecret: "opsTeamsWebhook" }]), [
        `${PROJECT}:flux.alerts[0].type: expected one of msteams, slack, discord, googlechat, generic-hmac, azureeventhub`,
    ]);
    assert.deepEqual(problems([{ name: "ops", ...hook, severity: "warning" }]), [`${PROJECT}:flux.alerts[0].severity: expected one of error, info`]);
    const name = "expected a lowercase DNS label (a-z, 0-9, '-') of at most 51 characters, so that its Secret <name>-credentials is one too";
    assert.deepEqual(problems([{ name: "Ops_Teams", ...hook }, { name: "a".repeat(52), ...hook }, { name: "a".repeat(51), ...hook }]), [
        `${PROJECT}:flux.alerts[0].name: ${name}`,
        `${PROJECT}:flux.alerts[1].name: ${name}`,
    ]);
    // A webhook URL pasted where the secret key's name belongs is refused without being repeated.
    const pasted = "https://hooks.slack.com/services/T0000/B0000/CANARY-pasted";
    const found = problems([{ name: "ops", type: "slack", addressSecret: pasted }]);
    assert.deepEqual(found, [`${PROJECT}:flux.alerts[0].addressSecret: expected the name of a secret config key, such as connectorPat`]);
    assert.ok(!found.join("\n").includes("CANARY"));
    assert.deepEqual(problems([{ name: "ops", ...hook, address: "https://x.example/" }]), [`${PROJECT}:flux.alerts[0]: Unrecognized key: "address"`]);
});

test("an alert target's secret must be set, and set as a secret", () => {
    const values = stackWith([{ name: "ops-teams", type: "msteams", addressSecret: "opsTeamsWebhook" }]);
    const set = (k: string) => `pulumi config set --secret ${k} --stack t < <file holding the value>`;
    assert.deepEqual(testStackProblems(values, { connectorPat: "secret" }), [
        `${PROJECT}:opsTeamsWebhook: missing secret (the address (webhook URL or connection string) of Flux alert target 'ops-teams'); set it with: ${set("opsTeamsWebhook")}`,
    ]);
    assert.deepEqual(testStackProblems(values, { connectorPat: "secret", opsTeamsWebhook: "plaintext" }), [
        `${PROJECT}:opsTeamsWebhook: stored in plain text in the stack file (the address (webhook URL or connection string) of Flux alert target 'ops-teams'); re-set it with: ${set("opsTeamsWebhook")}`,
    ]);
});

test("the Secret's data: the address trimmed, refused empty or too long for Flux (never shown); generic-hmac's key, refused empty", () => {
    assert.equal(checkedAlertAddress("t", " https://hooks.slack.com/services/x\n"), "https://hooks.slack.com/services/x");
    assert.equal(checkedAlertAddress("t", SECRETS.eventHubConnection), SECRETS.eventHubConnection);
    // The offline plan's placeholders pass: the shape is Flux's to judge.
    assert.equal(checkedAlertAddress("t", "placeholder-for-opsTeamsWebhook"), "placeholder-for-opsTeamsWebhook");
    assert.throws(() => checkedAlertAddress("t", "  "), (e: Error) => e.message === "Flux alert target t: the address is empty");
    const long = `https://CANARY.example/${"x".repeat(2048)}`;
    assert.throws(() => checkedAlertAddress("t", long), (e: Error) => {
        assert.equal(e.message, "Flux alert target t: the address is longer than the 2048 bytes notification-controller reads (value not shown)");
        return true;
    });
    assert.deepEqual(alertSecretData("a", "generic-hmac", "https://a.example/", "k"), { address: "https://a.example/", token: "k" });
    assert.throws(() => alertSecretData("a", "generic-hmac", "https://a.example/", " "), (e: Error) => e.message === "Flux alert target a: the generic-hmac HMAC key is empty");
    assert.deepEqual(alertSecretData("s", "slack", "https://a.example/", undefined), { address: "https://a.example/" });
});

test("used from code, FluxAlerts refuses invalid arguments by property before registering anything", () => {
    const before = rec.registrations.length;
    const provider = new k8s.Provider("stand-in-k8s", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
    const configurations = { cfg: { namespace: "ns", gitRepository: "cfg", kustomizations: ["cfg-k"] } };
    const cases: [unknown, string, string][] = [
        [{ configurations, targets: [] }, "targets", "expected at least one alert target; leave the list out for none"],
        [{ configurations, targets: [{ name: "x", type: "webhook", address: "https://a/" }] }, "targets.0.type", "expected one of msteams, slack, discord, googlechat, generic-hmac, azureeventhub"],
        [{ configurations, targets: [{ name: "x", type: "generic-hmac", address: "https://a/" }] }, "targets.0.token", "generic-hmac signs each request with an HMAC key (the Secret's token); expected one"],
        [{ configurations, targets: [{ name: "x", type: "slack", address: "https://a/", kinds: ["Bucket"] }] }, "targets.0.kinds.0", `expected one of ${ALERT_KINDS.join(", ")}`],
        [{ configurations, targets: [{ name: "x", type: "slack", address: "https://a/", configurations: ["other"] }] }, "targets.0.configurations.0", "no Flux configuration named 'other' (expected one of cfg)"],
        [{ configurations, targets: [{ name: "x", type: "slack" }] }, "targets.0.address", "expected the address (webhook URL or connection string)"],
    ];
    for (const [args, propertyPath, reason] of cases) {
        assert.throws(
            () => new FluxAlerts("bad-alerts", args as any, { provider }),
            (e: pulumi.InputPropertiesError) => {
                assert.ok(pulumi.InputPropertiesError.isInstance(e));
                assert.deepEqual(e.errors, [{ propertyPath, reason }]);
                return true;
            },
        );
    }
    assert.throws(
        () => new FluxAlerts("bad-alerts", { configurations, targets: [{ name: "x", type: "slack", address: "https://a/" }] }),
        (e: pulumi.InputPropertiesError) => e.errors?.[0]?.propertyPath === "opts.provider",
    );
    assert.deepEqual(fluxAlertsProblems({ configurations, targets: [{ name: "x", type: "slack", address: "https://a/" }] }), []);
    assert.deepEqual(rec.registrations.slice(before).filter((r) => r.name.startsWith("bad-alerts")), []);
});

test("used from code with a plain address, the Secret's data is still a Pulumi secret", async () => {
    const provider = new k8s.Provider("code-k8s", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
    const gate = new k8s.core.v1.ConfigMap("code-gate", { metadata: { name: "gate" } }, { provider });
    const hook = "https://hooks.example/CANARY-plain-hook";
    const code = new FluxAlerts(
        "code-alerts",
        { configurations: { cfg: { namespace: "ns", gitRepository: "cfg", kustomizations: ["cfg-k"] } }, targets: [{ name: "ops", type: "discord", address: hook }], applyNamespace: false },
        { provider, dependsOn: [gate] },
    );
    await settle(code, gate);
    const secret = one(rec, SECRET, "code-alerts-ns/ops-secret");
    assert.ok(isSecretValue(secret.inputs.stringData));
    assert.deepEqual(unwrap(secret.inputs.stringData), { address: hook });
    const kids = rec.registrations.filter((r) => parentOf(rec, r)?.name === "code-alerts");
    assert.deepEqual(kids.map((r) => r.name).sort(), ["code-alerts-ns/ops-alert", "code-alerts-ns/ops-provider", "code-alerts-ns/ops-secret"], "applyNamespace: false, no patch");
    for (const r of kids) {
        assert.deepEqual(plainOccurrences(r.inputs, "CANARY-plain-hook"), [], r.name);
        assert.equal(providerOf(rec, r)?.name, "code-k8s");
        assert.ok(dependsOn(rec, r, one(rec, "kubernetes:core/v1:ConfigMap", "code-gate")), `${r.name}: the caller's dependsOn reaches it`);
    }
});

test("an OCI configuration's source is an OCIRepository: no GitRepository of its name, the OCIRepository `*` covers it", async () => {
    const { alertEventSources } = await import("../components/alerts.ts");
    const { fluxObjects } = await import("../components/flux.ts");
    const oci = fluxObjects({ name: "app-artifact", url: "oci://acr.azurecr.io/gitops/app", kustomizations: [{ name: "app" }] });
    assert.equal(oci.sourceKind, "OCIRepository");
    assert.equal("sourceKind" in fluxObjects({ name: "git", url: "https://github.com/o/r", kustomizations: [{ name: "k" }] }), false, "a Git configuration's objects are as before");
    assert.deepEqual(alertEventSources("flux-system", [oci], ["GitRepository", "Kustomization", "OCIRepository"]), [
        { kind: "Kustomization", name: "app-artifact-app", namespace: "flux-system" },
        { kind: "OCIRepository", name: "*", namespace: "flux-system" },
    ]);
});

test("a Bucket or Azure Blob configuration's source is a Flux Bucket, named in place of a GitRepository", async () => {
    const { alertEventSources } = await import("../components/alerts.ts");
    const { fluxObjects } = await import("../components/flux.ts");
    const blob = fluxObjects({ name: "blob", source: "azureBlob", url: "https://acct.blob.core.windows.net", kustomizations: [{ name: "infra" }] } as never);
    assert.equal(blob.sourceKind, "Bucket");
    assert.deepEqual(alertEventSources("flux-system", [blob], ["GitRepository", "Kustomization"]), [
        { kind: "Bucket", name: "blob", namespace: "flux-system" },
        { kind: "Kustomization", name: "blob-infra", namespace: "flux-system" },
    ]);
});
