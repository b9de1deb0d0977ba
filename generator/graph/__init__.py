"""Stage 2, what it means: Markdown parsed, mentions and links resolved, every item's back-references
and addresses (resolve, markdown, links, urls). Imports nothing."""
