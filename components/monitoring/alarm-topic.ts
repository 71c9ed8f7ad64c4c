// The stack's one alarm topic: every alarm of the pipeline (operations, and the outcome publisher's)
// notifies it, and an operator subscribes to it once. Optionally an email subscription from config (SNS
// mails the address a confirmation link first). A topic given by the caller is used instead of a new one.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AlarmTopicArgs {
  /**
   * An existing topic to notify instead of creating one.
   * @default a new topic
   * @example "arn:aws:sns:us-east-1:123456789012:ops-alarms"
   */
  readonly topicArn?: pulumi.Input<string>;
  /**
   * Address subscribed to the topic by email.
   * @default no subscription
   * @example "ops@example.com"
   */
  readonly email?: string;
}

export class AlarmTopic extends pulumi.ComponentResource {
  /** What every alarm's actions name. */
  readonly topicArn: pulumi.Output<string>;
  /** The topic, when this component created it. */
  readonly topic: aws.sns.Topic | undefined;

  constructor(name: string, args: AlarmTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:monitoring:AlarmTopic", name, {}, opts);
    if (args.topicArn === undefined) {
      this.topic = new aws.sns.Topic(`${name}-topic`, {}, { parent: this });
      this.topicArn = this.topic.arn;
    } else {
      this.topic = undefined;
      this.topicArn = pulumi.output(args.topicArn);
    }
    if (args.email !== undefined) {
      new aws.sns.TopicSubscription(
        `${name}-email`,
        { topic: this.topicArn, protocol: "email", endpoint: args.email },
        { parent: this },
      );
    }
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
