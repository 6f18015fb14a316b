// Preview of a new cluster: nothing may be looked up in a cluster that doesn't exist yet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cluster } from "../components/cluster.ts";
import { installMocks, one, settle } from "./support.ts";

const rec = installMocks({ preview: true });

test("in preview, the kubeconfig lookup waits for the new cluster instead of querying ARM", async () => {
    const cluster = new Cluster("new", {
        mode: "aks", name: "aks-new", resourceGroupName: "rg", location: "westeurope",
        aks: {
            skuTier: "Free",
            systemPool: { vmSize: "Standard_D4ds_v5", count: 2, availabilityZones: [], osSku: "AzureLinux" },
            entraId: { enabled: false, adminGroupObjectIds: [], grantDeployerClusterAdmin: false },
            network: { plugin: "azure", dataplane: "cilium", policy: "cilium" },
            upgradeChannel: "patch", nodeOsUpgradeChannel: "NodeImage",
        },
    });
    await settle(cluster, cluster.provider!);
    one(rec, "azure-native:containerservice:ManagedCluster", "new-aks");
    one(rec, "pulumi:providers:kubernetes", "new-k8s");
    assert.deepEqual(rec.invocations.map((i) => i.token), [], "no credentials were requested for a cluster that is only planned");
});
