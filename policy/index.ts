// The CrossGuard policy pack: `pulumi preview --policy-pack policy` (see docs/policies.md). The same
// policies run offline with `npm run plan -- <stack> --policy`.
import { PolicyPack } from "@pulumi/policy";
import { toCrossGuard } from "./crossguard.ts";
import { POLICIES, POLICY_PACK_NAME } from "./policies.ts";

new PolicyPack(POLICY_PACK_NAME, { policies: POLICIES.map(toCrossGuard) });
