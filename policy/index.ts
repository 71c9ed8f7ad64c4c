// The policy pack Pulumi runs beside a preview or an update: `pulumi preview --policy-pack policy
// --policy-pack-config policy/config/<stack>.json` (the pull-request and deploy workflows pass both).
// Every policy is mandatory: a violation fails the preview or the update. The policies are in
// policies.ts; this file only serves them (constructing a PolicyPack starts the analyzer's server).

import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, POLICIES } from "./policies";

new PolicyPack(PACK_NAME, {
  description: "Guard rails of the video-jobs stacks: S3, SQS, IAM, DynamoDB, logs and Fargate networking.",
  enforcementLevel: "mandatory",
  policies: POLICIES,
});
