// The part of a stack the stack-wide rules look at, and how they tell which resource another one
// configures (a bucket's policy, a queue's dead-letter target). @pulumi/policy's PolicyResource has this
// shape; the tests build it from the resources the program registers under mocks.

import { type Props, readProp } from "./props";

export interface StackResource {
  readonly type: string;
  /** Logical name, as the program names it (what violation messages show). */
  readonly name: string;
  readonly urn: string;
  /** Outputs: the inputs plus what the provider computed (ARNs, names), some unknown in a preview. */
  readonly props: Props;
  readonly dependencies: readonly StackResource[];
  /** The resources each input property was computed from. */
  readonly propertyDependencies: Readonly<Record<string, readonly StackResource[]>>;
}

export interface Violation {
  /** The resource in violation. */
  readonly urn: string;
  readonly message: string;
}

export function ofTypes(resources: readonly StackResource[], types: readonly string[]): StackResource[] {
  return resources.filter((resource) => types.includes(resource.type));
}

/**
 * Whether `resource`'s `property` refers to `target`. The engine records which resources each property
 * was computed from, which holds in a preview when neither side's ids are known yet; without that
 * record (a literal value), the value is compared with the target's identifying outputs.
 */
export function refersTo(
  resource: StackResource,
  property: string,
  target: StackResource,
  value: (props: Props) => unknown,
  targetKeys: readonly string[],
): boolean {
  const computedFrom = resource.propertyDependencies[property];
  if (computedFrom !== undefined && computedFrom.length > 0) return computedFrom.includes(target);
  const referenced = value(resource.props);
  if (typeof referenced !== "string" || referenced === "") return false;
  return targetKeys.some((key) => readProp(target.props, key) === referenced);
}
