"""What rebuilds reuse, in one place: a build whose inputs have not changed is not redone, a
paper file whose text has not changed is not parsed again, and a page whose fingerprint has
not changed is not rendered again.

- `inputs`: the digest of a build's inputs and the whole-build skip (`recall`/`remember`).
- `content`: the content cache, papers as validation made them, by file.
- `manifest`: the fingerprint of every file of the site in place, and the `Work` a rebuild
  has left to do.
- `search`: the last search bundles, each by a digest of every record it indexed.
- `signing`: what makes the cache folder safe to read although a pull request can write it.

Everything lives in the hub's `.citehub-cache/` (see `hubfiles.HubLayout.cache`), written
without following links and read only when its signature holds.
"""
