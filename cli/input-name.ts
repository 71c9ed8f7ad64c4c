// An input by its name, as people know it: the file name of its URL (decoded), without the `.upload` suffix
// `submit` gives a local file's upload key (which keeps the bucket's notification from submitting it again).
// Shared by the CLI's `list` and `show` and the console's page (pure: no Node modules).

export const UPLOAD_SUFFIX = ".upload";

export function inputName(url: string | undefined): string {
  if (url === undefined || url === "") return "-";
  const path = url.split(/[?#]/)[0] ?? url;
  const last = path.split("/").filter(Boolean).at(-1) ?? url;
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // Not %-encoded after all: the name as written.
  }
  return name.endsWith(UPLOAD_SUFFIX) && name.length > UPLOAD_SUFFIX.length
    ? name.slice(0, -UPLOAD_SUFFIX.length)
    : name;
}
