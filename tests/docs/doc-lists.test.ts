// The docs' generated lists (the jobs CLI's commands, the stack outputs) are what the code says now.

import { describe, expect, it } from "vitest";
import { DOC_LISTS, type DocList, pageWithList } from "../../scripts/doc-lists";

describe.each(Object.keys(DOC_LISTS) as DocList[])("the %s list", (name) => {
  it(`in ${DOC_LISTS[name].page} is the code's (npx tsx scripts/doc-lists.ts rewrites it)`, async () => {
    const { now, wanted } = await pageWithList(name);
    expect(now).toBe(wanted);
  });
});
